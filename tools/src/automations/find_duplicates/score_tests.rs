//! Score tests.

//! TLS crypto provider set-up.

use std::sync::Once;

static INSTALL: Once = Once::new();

/// Installs ring as the process-wide rustls crypto provider. Call it at the
/// top of `main` and of every test binary: reqwest and async-openai are built
/// without a provider of their own and panic on first use without it.
pub fn init_crypto() {
    INSTALL.call_once(|| {
        // An error only means another provider was installed first, which is
        // fine: any provider works.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

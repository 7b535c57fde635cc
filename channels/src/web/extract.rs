//! A JSON body extractor whose rejections are [`ApiError`]s, so a bad body
//! gets the same JSON error shape as everything else.

use std::sync::Arc;

use axum::Json;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::state::WebState;

/// Like [`axum::Json`], rejecting with 400, 413 or 415 as [`ApiError`].
pub(crate) struct ApiJson<T>(pub T);

impl<T> FromRequest<Arc<WebState>> for ApiJson<T>
where
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &Arc<WebState>) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::from_json_rejection(
                rejection,
                state.max_body_bytes,
            )),
        }
    }
}

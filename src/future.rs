//! The boxed future the object-safe async traits ([`TokenStore`](crate::TokenStore),
//! `callback::DedupStore`) return. A leaf module.

use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

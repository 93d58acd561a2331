//! Streaming `GET` of a line-format answer, read chunk by chunk as it
//! arrives and cancellable with an `AbortSignal`.

use js_sys::{Promise, Reflect, Uint8Array};
use sync_model::api::COUNT_HEADER;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortSignal, ReadableStreamDefaultReader, RequestCredentials, RequestInit,
    Response,
};

use super::{ApiClient, ClientError};

/// An answer being read: its announced line count and its body.
pub struct LineStream {
    /// The `x-line-count` header, when the proxy sent it.
    pub lines: Option<u64>,
    reader: Option<ReadableStreamDefaultReader>,
}

impl LineStream {
    /// The next chunk of bytes, or `None` at the end of the answer.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, ClientError> {
        let Some(reader) = &self.reader else {
            return Ok(None);
        };
        let step = JsFuture::from(reader.read())
            .await
            .map_err(|_| ClientError::Unreachable)?;
        let done = Reflect::get(&step, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            self.reader = None;
            return Ok(None);
        }
        let value = Reflect::get(&step, &JsValue::from_str("value"))
            .map_err(|_| ClientError::Unreadable { status: 200 })?;
        let bytes = value
            .dyn_into::<Uint8Array>()
            .map_err(|_| ClientError::Unreadable { status: 200 })?;
        Ok(Some(bytes.to_vec()))
    }
}

impl ApiClient {
    /// Starts a streaming `GET` of `path`, abandoned when `signal` aborts.
    pub async fn get_stream(
        &self,
        path: &str,
        signal: &AbortSignal,
    ) -> Result<LineStream, ClientError> {
        let window = web_sys::window().ok_or(ClientError::Unreachable)?;
        let init = RequestInit::new();
        init.set_method("GET");
        init.set_credentials(RequestCredentials::Include);
        init.set_signal(Some(signal));
        let fetched = JsFuture::from(
            window.fetch_with_str_and_init(&self.url(path), &init),
        )
        .await
        .map_err(|_| ClientError::Unreachable)?;
        let response = fetched
            .dyn_into::<Response>()
            .map_err(|_| ClientError::Unreachable)?;
        let status = response.status();
        if !response.ok() {
            let text = match response.text() {
                Ok(promise) => JsFuture::from(promise)
                    .await
                    .ok()
                    .and_then(|t| t.as_string())
                    .unwrap_or_default(),
                Err(_) => String::new(),
            };
            return Err(ClientError::from_answer(status, &text));
        }
        let lines = response
            .headers()
            .get(COUNT_HEADER)
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse().ok());
        let reader = response
            .body()
            .map(|body| body.get_reader().unchecked_into());
        Ok(LineStream { lines, reader })
    }
}

/// Lets the browser handle input and paint before work continues.
pub async fn yield_to_browser() {
    let promise = Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    &resolve, 0,
                );
        }
    });
    let _ = JsFuture::from(promise).await;
}

//! Connection loop. axum's own `serve` cannot close one connection on demand, which the
//! `dropConnection` fault needs, so each connection is served by hyper directly and raced
//! against a per-connection kill signal.

use crate::api::ConnKill;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, oneshot};
use tower::ServiceExt;

pub(crate) async fn serve(
    listener: std::net::TcpListener,
    app: Router,
    mut shutdown: oneshot::Receiver<()>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("genesys-emulator: cannot use listener: {e}");
            return;
        }
    };
    loop {
        let stream = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors and the like: back off instead of spinning.
                    eprintln!("genesys-emulator: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let app = app.clone();
        tokio::spawn(async move {
            let kill = Arc::new(Notify::new());
            let conn_kill = ConnKill(kill.clone());
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(conn_kill.clone());
                app.clone().oneshot(req)
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                // Dropping `conn` closes the socket without writing the response.
                _ = kill.notified() => {}
            }
        });
    }
}

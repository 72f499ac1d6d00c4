//! The server's output: every frame goes through one channel to a plain
//! thread that writes stdout.
//!
//! tower-lsp-server writes its frames (responses, requests, notifications)
//! through an [`AsyncWrite`] ([`Output::writer`]) that hands each buffer to
//! the channel whole. tower-lsp-server's framed writer only ever holds
//! complete frames, so frames from it and frames sent directly with
//! [`Output::send_body`] never interleave.
//!
//! The direct path exists for `publishDiagnostics`: tower-lsp-server turns
//! notification parameters into a `serde_json::Value` and then into text,
//! which for a big file's diagnostics costs more than linting it. A body
//! serialized straight to bytes is sent as it is.

use std::io::Write;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::AsyncWrite;

enum Msg {
    /// Bytes holding whole frames.
    Bytes(Vec<u8>),
    /// One message body, to frame.
    Body(Vec<u8>),
    Close,
}

/// The sending side of the output channel. Cheap to clone.
#[derive(Clone)]
pub struct Output {
    tx: mpsc::Sender<Msg>,
    /// Writing failed (the client closed its end): nothing more is written.
    broken: Arc<AtomicBool>,
    thread: Arc<Mutex<Option<std::thread::JoinHandle<()>>>>,
}

impl Output {
    /// Starts the writer thread on `out`.
    pub fn spawn<W: Write + Send + 'static>(out: W) -> Output {
        let (tx, rx) = mpsc::channel::<Msg>();
        let broken = Arc::new(AtomicBool::new(false));
        let flag = broken.clone();
        let thread = std::thread::Builder::new()
            .name("authlint-lsp-stdout".into())
            .spawn(move || write_frames(out, &rx, &flag))
            .ok();
        Output {
            tx,
            broken,
            thread: Arc::new(Mutex::new(thread)),
        }
    }

    /// An [`AsyncWrite`] for tower-lsp-server's framed writer.
    pub fn writer(&self) -> OutputWriter {
        OutputWriter(self.clone())
    }

    /// Sends one message body (JSON text) as a frame.
    pub fn send_body(&self, body: Vec<u8>) {
        let _ = self.tx.send(Msg::Body(body));
    }

    /// Writes out everything sent so far and stops the writer thread.
    /// Frames sent afterwards are dropped.
    pub fn close(&self) {
        let _ = self.tx.send(Msg::Close);
        let handle = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

/// When stdout is a pipe, asks for a buffer big enough for a large
/// `publishDiagnostics` (about 600 KB for 900 findings) to be written in one
/// go, rather than in 64 KB steps that each wait for the editor to read.
/// Linux only; elsewhere, or when refused, the pipe stays as it was.
pub fn widen_stdout_pipe() {
    #[cfg(target_os = "linux")]
    {
        const WANTED: libc::c_int = 1 << 20;
        // SAFETY: fcntl on the process's own stdout descriptor; on anything
        // but a pipe, or past the system's limit, it fails and changes nothing.
        unsafe {
            libc::fcntl(libc::STDOUT_FILENO, libc::F_SETPIPE_SZ, WANTED);
        }
    }
}

fn write_frames<W: Write>(mut out: W, rx: &mpsc::Receiver<Msg>, broken: &AtomicBool) {
    let write = |out: &mut W, msg: Msg| -> bool {
        let result = match msg {
            Msg::Close => return false,
            _ if broken.load(Ordering::SeqCst) => Ok(()),
            Msg::Bytes(bytes) => out.write_all(&bytes),
            Msg::Body(body) => write!(out, "Content-Length: {}\r\n\r\n", body.len())
                .and_then(|()| out.write_all(&body)),
        };
        if result.is_err() {
            broken.store(true, Ordering::SeqCst);
        }
        true
    };
    while let Ok(msg) = rx.recv() {
        if !write(&mut out, msg) {
            break;
        }
        // Flush once the queue is empty, not after every frame.
        let mut open = true;
        while let Ok(more) = rx.try_recv() {
            if !write(&mut out, more) {
                open = false;
                break;
            }
        }
        if out.flush().is_err() {
            broken.store(true, Ordering::SeqCst);
        }
        if !open {
            return;
        }
    }
    let _ = out.flush();
}

/// tower-lsp-server's view of [`Output`].
pub struct OutputWriter(Output);

impl AsyncWrite for OutputWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.0.broken.load(Ordering::SeqCst) {
            return Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into()));
        }
        // The whole buffer, always: a frame is never split between sends.
        if self.0.tx.send(Msg::Bytes(buf.to_vec())).is_err() {
            return Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into()));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn frames_keep_their_order_and_close_writes_everything() {
        let sink = Sink::default();
        let out = Output::spawn(sink.clone());
        let mut w = out.writer();
        let waker = futures_noop_waker();
        let mut cx = Context::from_waker(&waker);
        let _ = Pin::new(&mut w).poll_write(&mut cx, b"Content-Length: 2\r\n\r\n{}");
        out.send_body(b"[1]".to_vec());
        out.close();
        out.send_body(b"late".to_vec());
        assert_eq!(
            sink.0.lock().unwrap().as_slice(),
            b"Content-Length: 2\r\n\r\n{}Content-Length: 3\r\n\r\n[1]"
        );
    }

    fn futures_noop_waker() -> std::task::Waker {
        struct Noop;
        impl std::task::Wake for Noop {
            fn wake(self: Arc<Self>) {}
        }
        std::task::Waker::from(Arc::new(Noop))
    }
}

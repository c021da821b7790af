//! A small SMTP server on loopback for the tests: it speaks EHLO/HELO, MAIL, RCPT, DATA, RSET,
//! NOOP and QUIT (RFC 5321, no extensions, no TLS: the gateway allows plain SMTP only to
//! loopback) and keeps every message it accepts.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A message as received: the envelope and the data (dot-unstuffed, CRLF line ends).
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

/// The longest line or message accepted, so that a broken client cannot exhaust memory.
const MAX_LINE: usize = 4096;
const MAX_MESSAGE: usize = 1 << 20;

/// `[alerts.email]` for a plain SMTP server on loopback `port`.
pub fn email_config(port: u16) -> arcgw::alerts::EmailConfig {
    arcgw::alerts::EmailConfig {
        host: "127.0.0.1".into(),
        port,
        from: "arcgw <arcgw@fund.example>".into(),
        to: vec!["operators@fund.example".into()],
        username: None,
        password: None,
    }
}

/// A running server; it stops with the test's runtime.
pub struct SmtpServer {
    pub address: SocketAddr,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let address = listener.local_addr().expect("local address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let kept = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let _ = session(stream, kept).await;
                });
            }
        });
        SmtpServer { address, received }
    }

    /// The messages accepted so far.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.received.lock().expect("not poisoned").clone()
    }
}

async fn session(stream: TcpStream, kept: Arc<Mutex<Vec<ReceivedMail>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 localhost test SMTP\r\n").await?;
    let mut from = None;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 || line.len() > MAX_LINE {
            return Ok(());
        }
        let original = line.trim_end().to_string();
        let command = original.to_ascii_uppercase();
        // The argument after a command of `n` characters, in its own case.
        let argument = |n: usize| original.get(n..).unwrap_or("").trim().to_string();
        let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250 localhost\r\n"
        } else if command.starts_with("MAIL FROM:") {
            from = Some(argument("MAIL FROM:".len()));
            to.clear();
            b"250 OK\r\n"
        } else if command.starts_with("RCPT TO:") {
            if from.is_none() {
                b"503 MAIL first\r\n"
            } else {
                to.push(argument("RCPT TO:".len()));
                b"250 OK\r\n"
            }
        } else if command == "DATA" {
            if from.is_none() || to.is_empty() {
                b"503 MAIL and RCPT first\r\n"
            } else {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 || data.len() > MAX_MESSAGE {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    // Dot-stuffing (RFC 5321, 4.5.2).
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                kept.lock().expect("not poisoned").push(ReceivedMail {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 OK queued\r\n"
            }
        } else if command == "RSET" {
            from = None;
            to.clear();
            b"250 OK\r\n"
        } else if command == "NOOP" {
            b"250 OK\r\n"
        } else if command == "QUIT" {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            b"502 Command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

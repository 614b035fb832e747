//! The floor: the least a client can do for `get_installation`. One HTTP/1.1 keep-alive
//! connection on a `std::net::TcpStream`, the request's bytes built once, each call
//! writing them and reading the status line, the headers and a `Content-Length` body.
//! No pool, no parsing of the body, no checks beyond the status.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

pub struct Floor {
    connection: BufReader<TcpStream>,
    request: Vec<u8>,
    line: String,
    body: Vec<u8>,
}

impl Floor {
    /// Connects to the emulator at `url` (`http://host:port`); each call sends
    /// `authorization` as the header's value.
    pub fn connect(url: &str, authorization: &str) -> Floor {
        let host = url.strip_prefix("http://").expect("an http:// URL");
        let stream = TcpStream::connect(host).unwrap();
        stream.set_nodelay(true).unwrap();
        let request = format!(
            "GET /v1/installations/me HTTP/1.1\r\nHost: {host}\r\n\
             Authorization: {authorization}\r\nAccept: application/json\r\n\r\n"
        );
        Floor {
            connection: BufReader::new(stream),
            request: request.into_bytes(),
            line: String::new(),
            body: Vec::new(),
        }
    }

    /// One call; panics unless the answer is `200` with a `Content-Length` body.
    pub fn get(&mut self) {
        self.connection.get_mut().write_all(&self.request).unwrap();
        self.read_line();
        assert!(self.line.starts_with("HTTP/1.1 200 "), "{}", self.line);
        let mut length = None;
        loop {
            self.read_line();
            if self.line == "\r\n" {
                break;
            }
            let (name, value) = self.line.split_once(':').unwrap();
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.trim().parse().unwrap());
            }
        }
        self.body
            .resize(length.expect("a Content-Length header"), 0);
        self.connection.read_exact(&mut self.body).unwrap();
    }

    fn read_line(&mut self) {
        self.line.clear();
        let read = self.connection.read_line(&mut self.line).unwrap();
        assert!(read > 0, "the emulator closed the connection");
    }
}

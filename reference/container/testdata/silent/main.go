// Command silent listens on :8080 and accepts connections but never answers: a server that
// never becomes ready, for StartTarget's tests. It prints $SCIMCHECK_TOKEN so that the
// tests can check that the quoted logs redact it. With SILENT_MODE=tls it answers HTTPS
// instead (200 to everything, with a self-signed certificate made at start).
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	ln, err := net.Listen("tcp", ":8080")
	if err != nil {
		fmt.Fprintln(os.Stderr, "silent:", err)
		os.Exit(1)
	}
	if os.Getenv("SILENT_MODE") == "tls" {
		serveTLS(ln)
		return
	}
	fmt.Printf("silent: listening on :8080 with token %s, answering nothing\n", os.Getenv("SCIMCHECK_TOKEN"))
	for {
		conn, err := ln.Accept()
		if err != nil {
			continue
		}
		go func(c net.Conn) { // hold the connection open, never write
			time.Sleep(10 * time.Minute)
			c.Close()
		}(conn)
	}
}

// serveTLS answers 200 over HTTPS with a fresh self-signed certificate.
func serveTLS(ln net.Listener) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "silent"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	fmt.Println("silent: answering HTTPS on :8080")
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})}
	fmt.Fprintln(os.Stderr, srv.Serve(tls.NewListener(ln, cfg)))
}

// Package redistest starts a real redis-server for tests: Debian's
// /usr/bin/redis-server (or the first on PATH), on a free loopback port,
// with its own temporary data directory, no persistence, and stopped when
// the test ends. Nothing but 127.0.0.1 is ever reached.
//
// When redis-server is missing the test is skipped with a message, unless
// XSHARD_REQUIRE_REDIS=1 (set by .ci/run), which makes it fail instead:
// CI must never report a queue test as passed that did not run.
package redistest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xshard/xshard/internal/testenv"
)

// Server is a running redis-server.
type Server struct {
	// Port is the plain TCP port, or the TLS port of a TLS server.
	Port int
	// Dir is the server's own data and working directory.
	Dir string
	// CAPEM is the certificate of the throwaway CA that signed a TLS
	// server's certificate (nil for a plain server).
	CAPEM []byte
	tls   bool
	pass  string
	cmd   *exec.Cmd
	done  chan struct{}
	log   string
}

// Options configure Start.
type Options struct {
	// Password sets requirepass.
	Password string
	// TLS serves TLS only, with a certificate for 127.0.0.1 signed by a
	// CA generated for this server.
	TLS bool
}

// Binary returns the redis-server to use, or "" when there is none.
func Binary() string {
	if _, err := os.Stat("/usr/bin/redis-server"); err == nil {
		return "/usr/bin/redis-server"
	}
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p
	}
	return ""
}

// Require skips t when redis-server is missing, or fails it when
// XSHARD_REQUIRE_REDIS=1, and returns the binary.
func Require(t testing.TB) string {
	t.Helper()
	bin := Binary()
	if bin == "" {
		testenv.Missing(t, "redis-server", "XSHARD_REQUIRE_REDIS", "apt-get install redis-server")
	}
	return bin
}

// Start starts a plain redis-server and stops it when t ends.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith starts a redis-server with opts and stops it when t ends.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	bin := Require(t)
	s, err := Launch(bin, t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Launch starts redis-server bin with its data in dir, for callers
// without a testing.TB (testscript commands); the caller stops it.
func Launch(bin, dir string, opts Options) (*Server, error) {
	s := &Server{Dir: dir, tls: opts.TLS, pass: opts.Password}
	var extra []string
	if opts.TLS {
		if err := s.makeCerts(); err != nil {
			return nil, err
		}
		extra = []string{"--tls-cert-file", filepath.Join(s.Dir, "server.crt"), "--tls-key-file", filepath.Join(s.Dir, "server.key"),
			"--tls-ca-cert-file", filepath.Join(s.Dir, "ca.crt"), "--tls-auth-clients", "no"}
	}
	if opts.Password != "" {
		extra = append(extra, "--requirepass", opts.Password)
	}
	var lastErr error
	for range 5 { // a port found free may be taken before the server binds it
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s.Port = port
		if lastErr = s.start(bin, extra); lastErr == nil {
			return s, nil
		}
	}
	return nil, fmt.Errorf("redis-server did not start: %v", lastErr)
}

func (s *Server) start(bin string, extra []string) error {
	args := []string{"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", s.Dir,
		"--protected-mode", "no", "--daemonize", "no", "--loglevel", "warning"}
	if s.tls {
		args = append(args, "--port", "0", "--tls-port", strconv.Itoa(s.Port))
	} else {
		args = append(args, "--port", strconv.Itoa(s.Port))
	}
	args = append(args, extra...)
	s.log = filepath.Join(s.Dir, "redis.log")
	logf, err := os.Create(s.log)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(bin, args...)
	cmd.Dir = s.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	// Pdeathsig: a test binary stopped without its cleanups (go test's
	// -timeout panics) must not leave the server running.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	s.done = make(chan struct{})
	go func() { cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			out, _ := os.ReadFile(s.log)
			return fmt.Errorf("redis-server exited: %s", strings.TrimSpace(string(out)))
		default:
		}
		if s.ping() == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Kill()
	return fmt.Errorf("redis-server on port %d did not answer within 10s", s.Port)
}

// ping sends PING and accepts PONG or a NOAUTH refusal: either way the
// server is up.
func (s *Server) ping() error {
	c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if err != nil {
		return err
	}
	if s.tls {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(s.CAPEM)
		tc := tls.Client(c, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
		c = tc
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.HasPrefix(line, "+PONG") || strings.HasPrefix(line, "-NOAUTH") {
		return nil
	}
	return fmt.Errorf("unexpected reply %q", line)
}

// Addr is host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// URL is the redis:// (or rediss://) URL of the server, with its
// password.
func (s *Server) URL() string {
	scheme := "redis"
	if s.tls {
		scheme = "rediss"
	}
	auth := ""
	if s.pass != "" {
		auth = ":" + s.pass + "@"
	}
	return scheme + "://" + auth + s.Addr() + "/0"
}

// Kill stops the server at once with SIGKILL, as a lost Redis would stop.
func (s *Server) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// Stop stops the server (SIGTERM, then SIGKILL after 5 s).
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.Kill()
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// FreePort returns a loopback port nothing listens on (for tests of an
// unreachable server).
func FreePort(t testing.TB) int {
	t.Helper()
	p, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// makeCerts writes a throwaway CA and a server certificate for 127.0.0.1
// into s.Dir.
func (s *Server) makeCerts() error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "xshard test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	s.CAPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	files := map[string][]byte{
		"ca.crt":     s.CAPEM,
		"server.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		"server.key": pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(s.Dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// Package server is Xinyong's HTTP surface: the JSON API under /api/v1 (with
// its OpenAPI document and RFC 9457 errors), the zh-CN portal and console,
// health, readiness and metrics. Handlers only translate: every decision is
// the domain's, every change the workflow's.
package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"xinyong"
	"xinyong/internal/workflow"
)

// Server serves the platform.
type Server struct {
	Svc       *workflow.Service
	Log       *slog.Logger
	MaxBody   int64
	MaxUpload int64
	UploadDir string
	Version   string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (limit.go); none by default.
	TrustedProxies []netip.Prefix
	// Delivery: the webhook deliverer's loop (events.go).
	Delivery DeliveryLoop

	routes   []route
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	web      *web
	jobState
	compliance complianceState // deadlines job and ledger verification (console_compliance.go)
	// publicReports limits reports issued without signing in, per client
	// address (limit.go).
	publicReports *clientLimiter
}

// route is one API route: registered on the mux and described in the
// OpenAPI document from the same table.
type route struct {
	Method, Path string
	Summary      string
	Tag          string
	Auth         string // "public", "token"
	Request      any    // example/schema source of the request body, nil if none
	Status       int    // success status
	Handler      func(w http.ResponseWriter, r *http.Request) error
}

// New builds a server.
func New(svc *workflow.Service, log *slog.Logger) *Server {
	s := &Server{Svc: svc, Log: log, MaxBody: 32 << 20, MaxUpload: 2 << 30, Version: "dev"}
	s.publicReports = newClientLimiter(PublicReportsPerHour, time.Hour, svc.Now)
	s.registry = prometheus.NewRegistry()
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "xinyong_http_requests_total", Help: "HTTP requests by route and status class."}, []string{"route", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "xinyong_http_request_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}, []string{"route"})
	s.registry.MustRegister(s.requests, s.latency)
	s.routes = append(s.apiRoutes(), s.recordRoutes()...)
	s.routes = append(s.routes, s.reportRoutes()...)
	s.routes = append(s.routes, s.portalRoutes()...)
	s.routes = append(s.routes, s.sharingRoutes()...)
	s.routes = append(s.routes, s.listingRoutes()...)
	s.routes = append(s.routes, s.listingDocRoutes()...)
	s.routes = append(s.routes, s.measureRoutes()...)
	s.routes = append(s.routes, s.eventRoutes()...)
	s.routes = append(s.routes, s.objectionRoutes()...)
	s.routes = append(s.routes, s.gradingRoutes()...)
	s.routes = append(s.routes, s.complianceRoutes()...)
	s.routes = append(s.routes, s.repairRoutes()...)
	s.routes = append(s.routes, s.statsRoutes()...)
	return s
}

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyActor
	keySession
)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// actorOf returns the request's actor (the public when nobody signed in).
func actorOf(r *http.Request) xinyong.Actor {
	if a, ok := r.Context().Value(keyActor).(xinyong.Actor); ok {
		return a
	}
	return xinyong.Public
}

func sessionOf(r *http.Request) (xinyong.Session, bool) {
	s, ok := r.Context().Value(keySession).(xinyong.Session)
	return s, ok
}

// Handler returns the whole HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		rt := rt
		pattern := rt.Method + " " + rt.Path
		mux.Handle(pattern, s.instrument(pattern, s.api(rt.Handler)))
	}
	mux.Handle("GET /api/v1/openapi.json", s.instrument("openapi", http.HandlerFunc(s.openAPI)))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	// Requests no API route takes: 405 with Allow when the path exists
	// under other methods, else 404; both as problem+json.
	paths, allow := http.NewServeMux(), map[string][]string{"/api/v1/openapi.json": {"GET"}}
	for _, rt := range s.routes {
		allow[rt.Path] = append(allow[rt.Path], rt.Method)
	}
	for p := range allow {
		paths.Handle(p, http.NotFoundHandler())
	}
	mux.Handle("/api/", s.api(func(w http.ResponseWriter, r *http.Request) error {
		if _, p := paths.Handler(r); allow[p] != nil {
			w.Header().Set("Allow", strings.Join(allow[p], ", "))
			return &xinyong.Error{Code: eMethodNotAllowed, Message: "method " + r.Method + " is not allowed on " + r.URL.Path + "; allowed: " + strings.Join(allow[p], ", ")}
		}
		return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "no API route " + r.Method + " " + r.URL.Path + "; see /api/v1/openapi.json"}
	}))
	s.web = s.newWeb()
	s.web.install(mux)
	return s.middleware(mux)
}

// api adapts an error-returning handler: errors become problem+json.
func (s *Server) api(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeProblem(w, r, s.Log, err)
		}
	})
}

func (s *Server) instrument(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		h.ServeHTTP(rec, r)
		s.requests.WithLabelValues(name, strconv.Itoa(rec.status/100)+"xx").Inc()
		s.latency.WithLabelValues(name).Observe(time.Since(start).Seconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// middleware: request id, panic recovery, security headers, authentication,
// CSRF for cookie sessions, access log.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 || strings.ContainsAny(id, " \r\n\"") {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		ctx := context.WithValue(r.Context(), keyRequestID, id)
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		// who is the request as authenticated: the access log names the
		// token or session's actor, not the unauthenticated request's.
		who := r.WithContext(ctx)
		defer func() {
			if p := recover(); p != nil {
				s.Log.Error("panic", "request_id", id, "panic", p, "stack", string(debug.Stack()))
				if rec.bytes == 0 {
					s.refuse(rec, r.WithContext(ctx), xinyong.Errorf(xinyong.EINTERNAL, "internal error"))
				}
			}
			s.Log.Info("http", "request_id", id, "method", r.Method, "path", xinyong.MaskCitizenIDs(r.URL.Path), "status", rec.status, "bytes", rec.bytes,
				"ms", float64(time.Since(start).Microseconds())/1000, "actor", actorOf(who).Ref())
		}()
		r, err := s.authenticate(who)
		if err != nil {
			s.refuse(rec, r, err)
			return
		}
		who = r
		next.ServeHTTP(rec, r)
	})
}

// refuse answers an error met before a handler ran (a form over its bound,
// a wrong CSRF token, a panic): problem+json for the API, the error page
// for the pages people read.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if s.web == nil || strings.HasPrefix(r.URL.Path, "/api/") {
		writeProblem(w, r, s.Log, err)
		return
	}
	s.web.fail(w, r, err)
}

// MaxSignedInForm bounds a form posted with a session (the console's and
// the portal's forms for signed-in users; file uploads are multipart and
// bounded by their handlers).
const MaxSignedInForm = 1 << 20

// SessionCookie is the console session cookie's name.
const SessionCookie = "xinyong_session"

// authenticate resolves a bearer token or a session cookie to an actor.
// Unsafe methods with a cookie session must carry the session's CSRF token
// (form field csrf or header X-CSRF-Token).
func (s *Server) authenticate(r *http.Request) (*http.Request, error) {
	ctx := r.Context()
	if auth := r.Header.Get("Authorization"); auth != "" {
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			return r, xinyong.Errorf(xinyong.EUNAUTHORIZED, "send the token as Authorization: Bearer TOKEN")
		}
		a, err := s.Svc.TokenActor(ctx, strings.TrimSpace(tok))
		if err != nil {
			return r, err
		}
		return r.WithContext(context.WithValue(ctx, keyActor, a)), nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return r, nil
	}
	a, sess, err := s.Svc.SessionActor(ctx, c.Value)
	if err != nil {
		return r, nil // an ended session is the public; pages ask to sign in
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		got := r.Header.Get("X-CSRF-Token")
		if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			// Reading the token parses the whole form: bound it here, or Go's
			// default of 10 MB applies and the handlers' own bounds come too
			// late (the form is parsed once).
			r.Body = http.MaxBytesReader(nil, r.Body, MaxSignedInForm)
			if err := r.ParseForm(); err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return r, xinyong.Errorf(xinyong.ETOOLARGE, "表单过大：最多 %d KiB。A form is at most %d KiB.", MaxSignedInForm>>10, MaxSignedInForm>>10)
				}
				return r, xinyong.Errorf(xinyong.EINVALID, "表单无法读取。The form could not be read.")
			}
			if err := checkFormText(r.Form); err != nil {
				return r, err
			}
			got = r.PostForm.Get("csrf")
		}
		if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			// A multipart form (file uploads) carries the token in its
			// action URL: its body is streamed by the handler, not parsed here.
			got = r.URL.Query().Get("csrf")
		}
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
			return r, xinyong.Errorf(xinyong.EFORBIDDEN, "表单的 CSRF 令牌缺失或错误，请刷新页面后重试。The form's CSRF token is missing or wrong; reload the page and try again.")
		}
	}
	ctx = context.WithValue(ctx, keyActor, a)
	ctx = context.WithValue(ctx, keySession, sess)
	return r.WithContext(ctx), nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.Svc.Store.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("store unreachable\n"))
		return
	}
	cur, latest, err := s.Svc.Store.SchemaVersion(ctx)
	if err != nil || cur != latest {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("migrations not current\n"))
		return
	}
	w.Write([]byte("ready\n"))
}

// Package oidctest runs a real OpenID provider for tests of single sign-on:
// zitadel/oidc's op package (OpenID certified) over its example in-memory
// storage, on a loopback httptest server, with a login page of its own.
//
// Start registers one confidential web client (ID, secret and Attest's
// redirect URI) and the users a test adds. A user signs in at the
// provider's login page, LoginPath, with their subject as username and
// Password: a browser fills the form (fields #username and #password, the
// form #login), an HTTP client posts it with Login. The provider then sends
// the browser back to the redirect URI with an authorization code, and
// answers discovery, token, JWKS and userinfo requests as any provider
// does.
//
// For tests of the relying party's checks the provider can also put the
// email and profile claims in the ID token instead of only in userinfo
// (SetClaimsInIDToken), count userinfo requests (UserinfoCalls), replace
// the ID token of its token responses (SetIDTokenRewrite) and sign claims
// with its own key (Sign).
package oidctest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Password is every user's password at the provider.
const Password = "correct horse"

// LoginPath is the provider's login page, where its authorization endpoint
// sends the browser with the pending request's ID in the authRequestID
// query parameter. The form posts back to the same path.
const LoginPath = "/login/username"

// Config is the relying party the provider knows.
type Config struct {
	// ClientID and ClientSecret identify the client; the secret is checked
	// at the token endpoint.
	ClientID, ClientSecret string
	// RedirectURI is the only callback URL the provider sends codes to,
	// such as Attest's http://127.0.0.1:port/sso/callback.
	RedirectURI string
}

// User is an account at the provider.
type User struct {
	// Subject is the stable identifier, the ID token's sub claim, and the
	// username at the login page.
	Subject string
	// Email and EmailVerified are the email and email_verified claims.
	Email         string
	EmailVerified bool
	// GivenName and FamilyName make the profile claims; name is both,
	// separated by a space.
	GivenName, FamilyName string
}

// Provider is a running OpenID provider.
type Provider struct {
	// URL is the issuer, the server's root: discovery is at
	// URL + "/.well-known/openid-configuration".
	URL string

	tb      testing.TB
	srv     *httptest.Server
	storage *storage.Storage
	users   *userStore
	// claimsInIDToken makes the provider put the email and profile claims
	// in the ID token (as Google does) instead of only in userinfo.
	claimsInIDToken atomic.Bool
	userinfoCalls   atomic.Int64
	mu              sync.Mutex
	// rewrite, when set, replaces the ID token of token responses.
	rewrite func(idToken string) (string, error)
}

// Start starts a provider that knows the client of cfg and the users, on a
// loopback server closed when the test ends.
func Start(tb testing.TB, cfg Config, users ...User) *Provider {
	tb.Helper()
	p := &Provider{tb: tb, users: &userStore{byID: map[string]*storage.User{}}}
	for _, u := range users {
		p.AddUser(u)
	}
	p.storage = storage.NewStorageWithClients(p.users, map[string]*storage.Client{
		cfg.ClientID: storage.WebClient(cfg.ClientID, cfg.ClientSecret, cfg.RedirectURI),
	})
	// The issuer is the server's URL, known once the server listens.
	var handler http.Handler
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	tb.Cleanup(p.srv.Close)
	p.URL = p.srv.URL
	opCfg := &op.Config{CodeMethodS256: true, AuthMethodPost: true}
	rand.Read(opCfg.CryptoKey[:])
	provider, err := op.NewProvider(opCfg, claimsStorage{p.storage, &p.claimsInIDToken}, op.StaticIssuer(p.URL), op.WithAllowInsecure())
	if err != nil {
		tb.Fatalf("oidctest: start the provider: %v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+LoginPath, func(w http.ResponseWriter, r *http.Request) {
		renderLogin(w, http.StatusOK, r.URL.Query().Get("authRequestID"), "", "")
	})
	login := op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, username := r.PostFormValue("id"), r.PostFormValue("username")
		if err := p.storage.CheckUsernamePassword(username, r.PostFormValue("password"), id); err != nil {
			renderLogin(w, http.StatusUnauthorized, id, username, err.Error())
			return
		}
		http.Redirect(w, r, op.AuthCallbackURL(provider)(r.Context(), id), http.StatusFound)
	})
	mux.Handle("POST "+LoginPath, login)
	mux.Handle("/oauth/token", p.rewriteTokens(provider))
	mux.Handle("/userinfo", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.userinfoCalls.Add(1)
		provider.ServeHTTP(w, r)
	}))
	mux.Handle("/", provider)
	handler = mux
	return p
}

// AddUser adds an account, or replaces the one with the same subject. Its
// password is Password.
func (p *Provider) AddUser(u User) {
	p.users.add(&storage.User{ID: u.Subject, Username: u.Subject, Password: Password,
		Email: u.Email, EmailVerified: u.EmailVerified, FirstName: u.GivenName, LastName: u.FamilyName})
}

// Login signs in as subject through the login form the browser was sent
// to, loginPage (the provider's LoginPath with its authRequestID), and
// returns the provider's answer as the client ends up with it: when the
// client stops at redirects, a 302 whose Location is the provider's
// authorization callback on success.
func (p *Provider) Login(c *http.Client, loginPage *url.URL, subject string) (*http.Response, error) {
	return c.PostForm(p.URL+LoginPath, url.Values{"id": {loginPage.Query().Get("authRequestID")},
		"username": {subject}, "password": {Password}})
}

// SetClaimsInIDToken makes the provider put the email and profile claims in
// the ID token, as well as in userinfo (on), or only in userinfo (off, the
// default).
func (p *Provider) SetClaimsInIDToken(on bool) { p.claimsInIDToken.Store(on) }

// UserinfoCalls is how many requests the userinfo endpoint has had.
func (p *Provider) UserinfoCalls() int64 { return p.userinfoCalls.Load() }

// SetIDTokenRewrite makes the token endpoint replace the ID token of its
// answers with what f returns for it; nil turns the rewrite off. An error
// of f fails the test and the token request.
func (p *Provider) SetIDTokenRewrite(f func(idToken string) (string, error)) {
	p.mu.Lock()
	p.rewrite = f
	p.mu.Unlock()
}

// Sign signs claims as a JWT with the provider's own key: a token the
// provider could have issued.
func (p *Provider) Sign(claims map[string]any) (string, error) {
	key, err := p.storage.SigningKey(context.Background())
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: key.SignatureAlgorithm(), Key: key.Key()},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", key.ID()))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// rewriteTokens passes token requests to the provider and, when a rewrite
// is set, replaces the ID token of its answer.
func (p *Provider) rewriteTokens(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		rewrite := p.rewrite
		p.mu.Unlock()
		if rewrite == nil {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusOK {
			p.tb.Errorf("oidctest: token response %d: %s", rec.Code, rec.Body)
			http.Error(w, "unexpected token response", http.StatusInternalServerError)
			return
		}
		idToken, _ := body["id_token"].(string)
		out, err := rewrite(idToken)
		if err != nil {
			p.tb.Errorf("oidctest: rewrite the ID token: %v", err)
			http.Error(w, "rewrite failed", http.StatusInternalServerError)
			return
		}
		body["id_token"] = out
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(body)
	})
}

// loginPage is the provider's sign-in form.
var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Test OpenID provider</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; background: #eef1f6; margin: 0; }
main { max-width: 22rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: .5rem; box-shadow: 0 1px 4px #0002; }
h1 { font-size: 1.3rem; margin-top: 0; }
label, input, button { display: block; width: 100%; box-sizing: border-box; }
input { margin: .25rem 0 1rem; padding: .5rem; font: inherit; }
button { padding: .6rem; font: inherit; background: #3451b2; color: #fff; border: 0; border-radius: .25rem; }
.error { color: #a11; }
</style>
</head>
<body>
<main>
<h1>Test OpenID provider</h1>
<p>Sign in to continue to the application.</p>
{{with .Error}}<p class="error" role="alert">{{.}}</p>{{end}}
<form id="login" method="post" action="{{.Action}}">
<input type="hidden" name="id" value="{{.ID}}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="{{.Username}}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`))

func renderLogin(w http.ResponseWriter, status int, id, username, problem string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	loginPage.Execute(w, map[string]string{"Action": LoginPath, "ID": id, "Username": username, "Error": problem})
}

// userStore is the provider's accounts; tests add to it while the provider
// runs.
type userStore struct {
	mu   sync.Mutex
	byID map[string]*storage.User
}

func (s *userStore) add(u *storage.User) {
	s.mu.Lock()
	s.byID[u.ID] = u
	s.mu.Unlock()
}

func (s *userStore) GetUserByID(id string) *storage.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byID[id]
}

func (s *userStore) GetUserByUsername(name string) *storage.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.byID {
		if u.Username == name {
			return u
		}
	}
	return nil
}

func (s *userStore) ExampleClientID() string { return storage.ServiceUserID }

// claimsStorage wraps the example storage to switch where the claims go.
type claimsStorage struct {
	*storage.Storage
	inIDToken *atomic.Bool
}

func (s claimsStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil || !s.inIDToken.Load() {
		return c, err
	}
	return claimsClient{c}, nil
}

// claimsClient is a client that asks for the userinfo claims in the ID
// token.
type claimsClient struct{ op.Client }

func (claimsClient) IDTokenUserinfoClaimsAssertion() bool { return true }

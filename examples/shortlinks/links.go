package main

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Link is one short code and where it leads.
type Link struct {
	Code    string    `json:"code"`
	URL     string    `json:"url"`
	Created time.Time `json:"created"`
	Visits  int       `json:"visits"`
}

var errBadURL = errors.New("url must be an absolute http or https URL")

// Store keeps the links in memory; the handlers share one.
type Store struct {
	mu    sync.Mutex
	links map[string]*Link
}

func NewStore() *Store { return &Store{links: map[string]*Link{}} }

// Add shortens raw under a new random code.
func (s *Store) Add(raw string) (Link, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Link{}, errBadURL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		code := newCode()
		if _, taken := s.links[code]; taken {
			continue
		}
		link := &Link{Code: code, URL: u.String(), Created: time.Now().UTC()}
		s.links[code] = link
		return *link, nil
	}
}

// Visit counts a visit to code and says where it leads.
func (s *Store) Visit(code string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	link, ok := s.links[code]
	if !ok {
		return "", false
	}
	link.Visits++
	return link.URL, true
}

// List returns every link, newest first.
func (s *Store) List() []Link {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Link, 0, len(s.links))
	for _, link := range s.links {
		out = append(out, *link)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out
}

// newCode is 7 random characters from base32's lower-cased alphabet.
func newCode() string {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))[:7]
}

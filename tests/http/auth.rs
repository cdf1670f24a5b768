//! Login, logout, sessions, rate limits and password reset: HTML and API.

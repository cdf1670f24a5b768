//! Registration, identity photos and the profile: HTML and API.

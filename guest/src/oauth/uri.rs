//! Redirect-URI policy (RFC 6749 §3.1.2, RFC 8252 §7.3/§8.3) as a pure function over one URI.
//! Parsing is the `url` crate's (WHATWG URL), so what counts as a host is what browsers accept.

use url::{Host, Url};

use super::data::RedirectPolicy;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UriProblem {
    /// Not `https` and not an allowed exception (TFG020).
    NotHttps { message: String, fix: String },
    /// Not a valid absolute redirect URI at all (TFG021).
    Invalid { message: String, fix: String },
}

fn invalid(message: impl Into<String>, fix: impl Into<String>) -> Option<UriProblem> {
    Some(UriProblem::Invalid {
        message: message.into(),
        fix: fix.into(),
    })
}

/// `raw` with any user-info replaced by `***`, for messages: a URI may embed a password.
pub fn redacted(raw: &str) -> String {
    let Some(start) = raw.find("://").map(|i| i + 3) else {
        return raw.to_string();
    };
    let rest = &raw[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &raw[..start], &rest[at..]),
        None => raw.to_string(),
    }
}

/// The first problem with `raw` as a registered redirect URI, or `None` when it is acceptable.
/// Messages show the URI with user-info redacted.
pub fn check(raw_in: &str, policy: &RedirectPolicy) -> Option<UriProblem> {
    let shown = redacted(raw_in);
    check_shown(raw_in, &shown, policy)
}

fn check_shown(raw_in: &str, raw: &str, policy: &RedirectPolicy) -> Option<UriProblem> {
    if raw_in.trim() != raw_in || raw_in.is_empty() {
        return invalid(
            format!("redirect URI `{raw}` is empty or has surrounding whitespace"),
            "Register the exact URI the application sends, with no spaces.",
        );
    }
    // `*` is a legal host code point for the URL parser, so wildcards are checked first:
    // redirect URIs are compared exactly, and a pattern would let any matching host receive codes.
    if raw_in.contains('*') {
        return invalid(
            format!("redirect URI `{raw}` contains a wildcard"),
            "Register each exact callback URI; redirect URIs are matched literally, never as patterns.",
        );
    }
    // User-info first: every later message would otherwise be about a URI holding a password.
    if raw != raw_in {
        return invalid(
            format!("redirect URI `{raw}` contains user-info (`user@` or `user:password@`)"),
            "Remove the credentials from the URI: they leak to logs and browsers.",
        );
    }
    let url = match Url::parse(raw_in) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            return invalid(
                format!("redirect URI `{raw}` is not absolute"),
                "Use the full URI, e.g. `https://app.example.com/callback`.",
            );
        }
        Err(e) => {
            return invalid(
                format!("redirect URI `{raw}` does not parse: {e}"),
                "Use an absolute `https://` URI with a valid host name.",
            );
        }
    };
    if url.fragment().is_some() {
        return invalid(
            format!("redirect URI `{raw}` has a fragment"),
            "Remove the `#...` part: RFC 6749 §3.1.2 forbids fragments in redirect URIs.",
        );
    }
    if !url.username().is_empty() || url.password().is_some() {
        return invalid(
            format!("redirect URI `{raw}` contains user-info (`user@` or `user:password@`)"),
            "Remove the credentials from the URI: they leak to logs and browsers.",
        );
    }
    let scheme = url.scheme();
    let allowed = |s: &str| {
        policy
            .allowed_schemes
            .iter()
            .any(|a| a.eq_ignore_ascii_case(s))
    };
    if scheme == "http" {
        let https = https_version(&url);
        let (ok, what) = match url.host() {
            Some(Host::Ipv4(ip)) if ip.is_loopback() && ip.octets() == [127, 0, 0, 1] => (
                policy.allow_loopback_ipv4,
                "the IPv4 loopback exception is switched off in the policy (`redirect_uris.allow_loopback_ipv4`)",
            ),
            Some(Host::Ipv6(ip)) if ip.is_loopback() => (
                policy.allow_loopback_ipv6,
                "the IPv6 loopback exception is switched off in the policy (`redirect_uris.allow_loopback_ipv6`)",
            ),
            Some(Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => (
                policy.allow_localhost,
                "`localhost` is not allowed (RFC 8252 §8.3; enable `redirect_uris.allow_localhost` to accept it)",
            ),
            _ => (
                false,
                "plain http sends the authorization code in cleartext",
            ),
        };
        if ok {
            return None;
        }
        let fix = match url.host() {
            Some(Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => {
                let mut u = url.clone();
                let _ = u.set_host(Some("127.0.0.1"));
                format!("Use the loopback IP literal `{u}` (RFC 8252 §7.3), or `{https}`.")
            }
            _ => format!("Use `{https}`."),
        };
        return Some(UriProblem::NotHttps {
            message: format!("redirect URI `{raw}` uses http: {what}"),
            fix,
        });
    }
    if !allowed(scheme) {
        return Some(UriProblem::NotHttps {
            message: format!(
                "redirect URI `{raw}` uses the scheme `{scheme}`, which the policy does not allow (allowed: {})",
                policy.allowed_schemes.join(", ")
            ),
            fix: format!(
                "Use an `https://` URI, or add `{scheme}` to `redirect_uris.allowed_schemes` in a policy pack if it is your app's private-use scheme (RFC 8252 §7.1)."
            ),
        });
    }
    if matches!(scheme, "https" | "http") && url.host_str().is_none_or(str::is_empty) {
        return invalid(
            format!("redirect URI `{raw}` has no host"),
            "Use an absolute `https://` URI with a host name.",
        );
    }
    None
}

fn https_version(url: &Url) -> String {
    // `set_scheme` refuses http→https only for non-special schemes; both are special.
    let mut u = url.clone();
    let _ = u.set_scheme("https");
    if u.port() == Some(80) {
        let _ = u.set_port(None);
    }
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RedirectPolicy {
        super::super::data::default_data().redirect
    }

    fn kind(uri: &str, p: &RedirectPolicy) -> &'static str {
        match check(uri, p) {
            None => "ok",
            Some(UriProblem::NotHttps { .. }) => "not-https",
            Some(UriProblem::Invalid { .. }) => "invalid",
        }
    }

    #[test]
    fn https_and_loopback_pass() {
        let p = policy();
        for u in [
            "https://my-app.example.com/callback",
            "https://example.com/auth",
            "https://EXAMPLE.com:8443/cb?x=1",
            "http://127.0.0.1:8080/callback",
            "http://127.0.0.1/cb",
            "http://[::1]:53682/",
        ] {
            assert_eq!(kind(u, &p), "ok", "{u}");
        }
    }

    #[test]
    fn cleartext_and_schemes_are_not_https() {
        let p = policy();
        for u in [
            "http://my-app.example.com/callback",
            "http://localhost:3000/cb",
            "http://127.0.0.2/cb",
            "ftp://example.com/cb",
            "com.example.app:/oauth2redirect",
            "javascript:alert(1)",
        ] {
            assert_eq!(kind(u, &p), "not-https", "{u}");
        }
        let Some(UriProblem::NotHttps { fix, .. }) = check("http://app.example.com:80/cb", &p)
        else {
            panic!()
        };
        assert!(fix.contains("`https://app.example.com/cb`"), "{fix}");
        let Some(UriProblem::NotHttps { fix, .. }) = check("http://localhost:3000/cb", &p) else {
            panic!()
        };
        assert!(fix.contains("http://127.0.0.1:3000/cb"), "{fix}");
    }

    #[test]
    fn malformed_uris_are_invalid() {
        let p = policy();
        for u in [
            "https://app.example.com/cb#frag",
            "https://*.example.com/cb",
            "https://app.example.com/*",
            "https://user:pw@app.example.com/cb",
            "https://user@app.example.com/cb",
            "/callback",
            "app.example.com/callback",
            "https://exa mple.com/cb",
            "https://[::1/cb",
            "https://",
            " https://app.example.com/cb",
            "",
        ] {
            assert_eq!(kind(u, &p), "invalid", "{u:?}");
        }
    }

    #[test]
    fn user_info_is_never_echoed() {
        let p = policy();
        for u in [
            "https://admin:hunter2@app.example.com/cb",
            "https://admin:hunter2@app.example.com/cb#x",
            "http://admin:hunter2@app.example.com/cb",
            "https://admin:hunter2@*.example.com/cb",
        ] {
            let Some(UriProblem::Invalid { message, fix }) = check(u, &p) else {
                panic!("{u}")
            };
            assert!(
                !message.contains("hunter2") && !fix.contains("hunter2"),
                "{message}"
            );
            assert!(
                message.contains("https://***@") || message.contains("http://***@"),
                "{message}"
            );
        }
        assert_eq!(
            redacted("https://a.example.com/x@y"),
            "https://a.example.com/x@y"
        );
        assert_eq!(redacted("/cb"), "/cb");
    }

    #[test]
    fn exceptions_are_switchable() {
        let mut p = policy();
        p.allow_localhost = true;
        assert_eq!(kind("http://localhost:3000/cb", &p), "ok");
        p.allow_loopback_ipv4 = false;
        p.allow_loopback_ipv6 = false;
        assert_eq!(kind("http://127.0.0.1:3000/cb", &p), "not-https");
        assert_eq!(kind("http://[::1]:3000/cb", &p), "not-https");
        p.allowed_schemes.push("com.example.app".into());
        assert_eq!(kind("com.example.app:/oauth2redirect", &p), "ok");
    }
}

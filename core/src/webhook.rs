//! Webhook subscriptions: which URLs may receive events, and which events exist.
//!
//! The rule on URLs keeps deliveries from becoming a way to reach the server's own network:
//! production organizations deliver over `https://` to a public name or address only; sandbox
//! organizations may also use plain `http://` to a loopback address (a receiver on the
//! developer's machine). User names or passwords inside the URL and fragments are refused,
//! because deliveries would either leak or ignore them.

use crate::field_error::{FieldError, FieldErrorCode, ValidationErrors};
use crate::message::{Message, UrlProblem};
use crate::wire::{CreateWebhookRequest, EventType};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// Longest accepted URL.
pub const URL_MAX: usize = 2048;

/// A subscription that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidWebhook {
    /// The normalised URL (as `url::Url` prints it).
    pub url: String,
    /// The event types, deduplicated, in the API's order.
    pub events: Vec<EventType>,
}

/// Checks a `POST /webhooks` body, returning every problem at once.
///
/// `sandbox` is whether the organization is a sandbox one (then loopback `http://` is allowed).
///
/// # Errors
///
/// The field errors, with paths `url` and `events` / `events.<index>`.
pub fn validate_webhook(request: &CreateWebhookRequest, sandbox: bool) -> Result<ValidWebhook, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let url = errors.collect(match request.url.as_deref().map(str::trim) {
        None | Some("") => Err(FieldError::new("url", FieldErrorCode::Required, Message::WebhookUrlRequired)),
        Some(raw) => parse_url(raw, sandbox)
            .map_err(|(code, problem)| FieldError::new("url", code, Message::WebhookUrl(problem))),
    });
    let events = errors.collect(parse_events(request.events.as_deref()));
    match (url, events) {
        (Some(url), Some(events)) if errors.is_empty() => Ok(ValidWebhook { url, events }),
        _ => Err(errors),
    }
}

fn parse_url(raw: &str, sandbox: bool) -> Result<String, (FieldErrorCode, UrlProblem)> {
    if raw.len() > URL_MAX {
        return Err((FieldErrorCode::TooLong, UrlProblem::TooLong));
    }
    let url = Url::parse(raw).map_err(|_| (FieldErrorCode::InvalidFormat, UrlProblem::NotAbsolute))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err((FieldErrorCode::NotAllowed, UrlProblem::Credentials));
    }
    if url.fragment().is_some() {
        return Err((FieldErrorCode::NotAllowed, UrlProblem::Fragment));
    }
    let loopback = match url.host() {
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.');
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err((FieldErrorCode::InvalidFormat, UrlProblem::NoHost)),
    };
    match url.scheme() {
        "https" if loopback && !sandbox => Err((FieldErrorCode::NotAllowed, UrlProblem::LoopbackOutsideSandbox)),
        "https" => match url.host() {
            Some(Host::Ipv4(ip)) if !loopback && !public_v4(ip) => {
                Err((FieldErrorCode::NotAllowed, UrlProblem::Private))
            }
            Some(Host::Ipv6(ip)) if !loopback && !public_v6(ip) => {
                Err((FieldErrorCode::NotAllowed, UrlProblem::Private))
            }
            _ => Ok(url.into()),
        },
        "http" if loopback && sandbox => Ok(url.into()),
        "http" => Err((FieldErrorCode::NotAllowed, UrlProblem::PlainHttp)),
        _ => Err((FieldErrorCode::InvalidFormat, UrlProblem::NotHttps)),
    }
}

/// Whether an IPv4 address is reachable on the public internet.
fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier NAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

/// Whether an IPv6 address is reachable on the public internet: global unicast (`2000::/3`)
/// only, without the ranges that embed or tunnel to IPv4 addresses (6to4, Teredo) or are
/// reserved for documentation; IPv4-mapped addresses are judged as the IPv4 address they carry.
fn public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return public_v4(v4);
    }
    let [first, second, ..] = ip.segments();
    let global_unicast = (first & 0xe000) == 0x2000;
    let tunnel_or_documentation = first == 0x2002 || (first == 0x2001 && (second == 0 || second == 0x0db8));
    global_unicast && !tunnel_or_documentation
}

/// Whether deliveries may go to `ip` for a webhook whose URL passed [`validate_webhook`]: a
/// host name can resolve to anything, so the server checks the resolved address again.
pub fn deliverable_address(ip: IpAddr, sandbox: bool) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4) || (sandbox && v4.is_loopback()),
        IpAddr::V6(v6) => public_v6(v6) || (sandbox && v6.is_loopback()),
    }
}

fn parse_events(raw: Option<&[String]>) -> Result<Vec<EventType>, FieldError> {
    let names = raw.unwrap_or_default();
    if names.is_empty() {
        return Err(FieldError::new("events", FieldErrorCode::Required, Message::EventsRequired));
    }
    let mut events = Vec::with_capacity(names.len());
    for (index, name) in names.iter().enumerate() {
        let event = EventType::parse(name).ok_or_else(|| {
            let known = EventType::ALL.iter().map(|e| e.as_str()).collect();
            FieldError::new(format!("events.{index}"), FieldErrorCode::InvalidChoice, Message::UnknownEvent(known))
        })?;
        events.push(event);
    }
    events.sort_unstable();
    events.dedup();
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(url: &str, events: &[&str]) -> CreateWebhookRequest {
        CreateWebhookRequest { url: Some(url.to_owned()), events: Some(events.iter().map(|&e| e.to_owned()).collect()) }
    }

    fn url_code(url: &str, sandbox: bool) -> Option<FieldErrorCode> {
        validate_webhook(&request(url, &["card.issued"]), sandbox).err().map(|e| e.as_slice()[0].code)
    }

    #[test]
    fn public_https_urls_are_accepted_and_normalised() {
        let valid = validate_webhook(
            &request("  HTTPS://Hooks.Example.COM/kycard?x=1 ", &["card.issued", "customer.created", "card.issued"]),
            false,
        )
        .unwrap();
        assert_eq!(valid.url, "https://hooks.example.com/kycard?x=1");
        assert_eq!(valid.events, vec![EventType::CustomerCreated, EventType::CardIssued]);
        assert_eq!(url_code("https://bücher.example/hook", false), None, "internationalised names are fine");
        assert_eq!(url_code("https://8.8.8.8/hook", false), None);
    }

    #[test]
    fn plain_http_only_to_loopback_in_a_sandbox() {
        assert_eq!(url_code("http://127.0.0.1:9000/hook", true), None);
        assert_eq!(url_code("http://[::1]:9000/hook", true), None);
        assert_eq!(url_code("http://localhost:9000/hook", true), None);
        assert_eq!(url_code("http://127.0.0.1:9000/hook", false), Some(FieldErrorCode::NotAllowed));
        assert_eq!(url_code("http://hooks.example.com/", true), Some(FieldErrorCode::NotAllowed));
        assert_eq!(url_code("https://localhost/", false), Some(FieldErrorCode::NotAllowed));
        assert_eq!(url_code("https://localhost./", false), Some(FieldErrorCode::NotAllowed));
        assert_eq!(url_code("https://[64:ff9b::a00:1]/", false), Some(FieldErrorCode::NotAllowed));
    }

    #[test]
    fn private_addresses_credentials_and_other_schemes_are_refused() {
        for url in ["https://10.0.0.8/", "https://192.168.1.1/", "https://169.254.169.254/latest", "https://[fd00::1]/"]
        {
            assert_eq!(url_code(url, false), Some(FieldErrorCode::NotAllowed), "{url}");
        }
        assert_eq!(url_code("https://user:pw@example.com/", false), Some(FieldErrorCode::NotAllowed));
        assert_eq!(url_code("https://example.com/#frag", false), Some(FieldErrorCode::NotAllowed));
        assert_eq!(url_code("ftp://example.com/", false), Some(FieldErrorCode::InvalidFormat));
        assert_eq!(url_code("example.com/hook", false), Some(FieldErrorCode::InvalidFormat));
        assert_eq!(
            url_code(&format!("https://example.com/{}", "a".repeat(URL_MAX)), false),
            Some(FieldErrorCode::TooLong)
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let errors = validate_webhook(&CreateWebhookRequest::default(), false).unwrap_err();
        let paths: Vec<_> = errors.as_slice().iter().map(|e| (e.path.as_str(), e.code)).collect();
        assert_eq!(paths, [("url", FieldErrorCode::Required), ("events", FieldErrorCode::Required)]);
        let errors =
            validate_webhook(&request("https://example.com", &["card.issued", "card.exploded"]), false).unwrap_err();
        assert_eq!(errors.as_slice()[0].path, "events.1");
        assert_eq!(errors.as_slice()[0].code, FieldErrorCode::InvalidChoice);
    }

    #[test]
    fn resolved_addresses_are_checked_again() {
        assert!(deliverable_address("93.184.216.34".parse().unwrap(), false));
        assert!(!deliverable_address("127.0.0.1".parse().unwrap(), false));
        assert!(deliverable_address("127.0.0.1".parse().unwrap(), true));
        assert!(!deliverable_address("10.1.2.3".parse().unwrap(), true));
        assert!(!deliverable_address("::ffff:10.1.2.3".parse().unwrap(), false));
        for hidden in ["64:ff9b::a00:1", "2002:a00:1::1", "::127.0.0.1", "fec0::1", "2001::1", "100::1", "2001:db8::1"]
        {
            assert!(!deliverable_address(hidden.parse().unwrap(), false), "{hidden} carries or reserves an address");
        }
        for reserved in ["198.18.0.1", "192.0.0.8", "100.64.0.1", "0.1.2.3", "255.255.255.255"] {
            assert!(!deliverable_address(reserved.parse().unwrap(), false), "{reserved}");
        }
        assert!(deliverable_address("2606:4700::1111".parse().unwrap(), false));
    }
}

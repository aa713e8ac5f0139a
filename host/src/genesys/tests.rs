use super::*;

#[test]
fn regions_map_to_hosts() {
    assert_eq!(region_domain("us-east-1"), Some("mypurecloud.com"));
    assert_eq!(region_domain("EU-West-1"), Some("mypurecloud.ie"));
    assert_eq!(
        region_domain("eusc-de-east-1"),
        Some("edee1.eusc-pure.cloud")
    );
    assert_eq!(region_domain("mypurecloud.com"), None);
    assert_eq!(REGIONS.len(), 20);
}

#[test]
fn retry_after_is_honoured_and_bounded() {
    let p = RetryPolicy::default();
    let w = p.after_429(Some(3), 0).unwrap();
    assert!(
        w >= Duration::from_secs(3) && w <= Duration::from_millis(3700),
        "{w:?}"
    );
    assert!(p.after_429(Some(181), 0).is_none());
    assert!(p.after_429(Some(180), 0).is_some());
    for n in 0..20 {
        assert!(p.backoff(n) <= p.cap);
    }
    assert!(p.backoff(0) >= Duration::from_millis(250));
}

#[test]
fn request_has_the_api_field_names() {
    let r = ClientRequest {
        name: "n".into(),
        description: None,
        access_token_validity_seconds: 600,
        registered_redirect_uri: vec!["https://x".into()],
        authorized_grant_type: "CODE".into(),
        scope: vec!["users:readonly".into()],
        role_divisions: vec![RoleDivision {
            role_id: "r".into(),
            division_id: "*".into(),
        }],
        state: "active".into(),
    };
    let v = serde_json::to_value(&r).unwrap();
    for k in [
        "name",
        "accessTokenValiditySeconds",
        "registeredRedirectUri",
        "authorizedGrantType",
        "scope",
        "roleDivisions",
        "state",
    ] {
        assert!(v.get(k).is_some(), "{k}");
    }
    assert_eq!(v["roleDivisions"][0]["divisionId"], "*");
    assert!(v.get("secret").is_none());
}

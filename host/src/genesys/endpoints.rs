//! Where the API lives: regions and their hosts (§4.3), the override hooks, and whose
//! credentials sign in.

use super::*;

/// `GENESYSCLOUD_REGION` → domain, exactly the provider's `getRegionMap()` (facts §4.3).
pub(super) const REGIONS: &[(&str, &str)] = &[
    ("dca", "inindca.com"),
    ("tca", "inintca.com"),
    ("us-east-1", "mypurecloud.com"),
    ("us-east-2", "use2.us-gov-pure.cloud"),
    ("us-west-2", "usw2.pure.cloud"),
    ("eu-west-1", "mypurecloud.ie"),
    ("eu-west-2", "euw2.pure.cloud"),
    ("ap-southeast-2", "mypurecloud.com.au"),
    ("ap-northeast-1", "mypurecloud.jp"),
    ("eu-central-1", "mypurecloud.de"),
    ("ca-central-1", "cac1.pure.cloud"),
    ("ap-northeast-2", "apne2.pure.cloud"),
    ("ap-south-1", "aps1.pure.cloud"),
    ("sa-east-1", "sae1.pure.cloud"),
    ("ap-northeast-3", "apne3.pure.cloud"),
    ("eu-central-2", "euc2.pure.cloud"),
    ("me-central-1", "mec1.pure.cloud"),
    ("mx-central-1", "mxc1.pure.cloud"),
    ("ap-southeast-1", "apse1.pure.cloud"),
    ("eusc-de-east-1", "edee1.eusc-pure.cloud"),
];

/// The region's domain; the region is lower-cased first, as the provider does.
pub fn region_domain(region: &str) -> Option<&'static str> {
    let r = region.trim().to_ascii_lowercase();
    REGIONS.iter().find(|(k, _)| *k == r).map(|(_, d)| *d)
}

#[derive(Clone, Debug)]
pub struct Endpoints {
    pub region: String,
    pub api: String,
    pub login: String,
}

impl Endpoints {
    /// From the region, with the override hooks applied.
    pub fn for_region(region: &str) -> Result<Endpoints, GenesysError> {
        let api_override = env_nonempty(ENV_API_URL);
        let login_override = env_nonempty(ENV_LOGIN_URL);
        let domain = region_domain(region);
        let (api, login) = match (api_override, login_override, domain) {
            (Some(a), Some(l), _) => (a, l),
            (a, l, Some(d)) => (
                a.unwrap_or_else(|| format!("https://api.{d}")),
                l.unwrap_or_else(|| format!("https://login.{d}")),
            ),
            _ => {
                let known = REGIONS.iter().map(|(k, _)| *k).collect::<Vec<_>>();
                return Err(GenesysError::Config(format!(
                    "{ENV_REGION}=`{region}` is not a Genesys Cloud region; use one of: {}",
                    known.join(", ")
                )));
            }
        };
        for (name, u) in [(ENV_API_URL, &api), (ENV_LOGIN_URL, &login)] {
            check_url(name, u)?;
        }
        Ok(Endpoints {
            region: region.to_string(),
            api: api.trim_end_matches('/').to_string(),
            login: login.trim_end_matches('/').to_string(),
        })
    }
}

pub(super) fn check_url(name: &str, u: &str) -> Result<(), GenesysError> {
    let url = url::Url::parse(u)
        .map_err(|e| GenesysError::Config(format!("{name} `{u}` is not a URL: {e}")))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if crate::vault::is_loopback(&url) => Ok(()),
        _ => Err(GenesysError::Config(format!(
            "{name} `{u}` must be https (plain http only to a loopback test server)"
        ))),
    }
}

pub(super) fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Who we are and where: named in every authentication error by the variables' names, never
/// their values.
#[derive(Clone, Debug)]
pub struct AuthContext {
    pub id_source: String,
    pub secret_source: String,
    pub client_id: String,
    pub region: String,
    pub login: String,
}

impl AuthContext {
    /// For the admin client (the one tfguard provisions with), the permissions it needs.
    pub(super) fn admin_hint(&self) -> String {
        if self.id_source == ENV_CLIENT_ID {
            format!(
                "\n  tfguard provisions with this admin client: it needs a role with the permissions {ADMIN_PERMISSIONS}."
            )
        } else {
            String::new()
        }
    }

    pub(super) fn describe(&self) -> String {
        format!(
            "client id from {}, secret from {}, region `{}` (token endpoint {}/oauth/token)",
            self.id_source, self.secret_source, self.region, self.login
        )
    }
}

//! A repository of 200 `.tf` files in 20 module directories, as a platform team keeps one:
//! networking, IAM, storage, compute, Genesys Cloud queues and OAuth clients, Vault.
//! Four modules carry the seed's secret flow (random_password → OAuth client → Vault KV
//! with the secret in cleartext state); the others use the write-only pattern.

use std::io;
use std::path::Path;

use crate::Rng;

pub const MODULES: usize = 20;
pub const FILES_PER_MODULE: usize = 10;

const NAMES: [&str; MODULES] = [
    "network-core",
    "identity",
    "contact-center-eu",
    "payments-api",
    "search",
    "billing",
    "data-lake",
    "contact-center-us",
    "observability",
    "edge",
    "queues",
    "reporting",
    "contact-center-apac",
    "ci-runners",
    "mail",
    "backoffice",
    "analytics",
    "contact-center-uk",
    "archive",
    "sandbox",
];

/// Modules whose configuration leaks the OAuth secret into state (the seed's recipe).
pub fn leaky(i: usize) -> bool {
    i % 5 == 2
}

/// Modules that declare Genesys Cloud OAuth clients.
pub fn has_oauth(i: usize) -> bool {
    leaky(i) || i.is_multiple_of(3)
}

fn versions() -> String {
    r#"terraform {
  required_version = ">= 1.11"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.90"
    }
    genesyscloud = {
      source  = "mypurecloud/genesyscloud"
      version = "~> 1.60"
    }
    vault = {
      source  = "hashicorp/vault"
      version = "~> 5.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
  }
}
"#
    .to_string()
}

fn variables(name: &str) -> String {
    format!(
        r#"variable "environment" {{
  type        = string
  description = "Deployment environment of {name}"
  default     = "prod"
}}

variable "region" {{
  type    = string
  default = "eu-west-1"
}}

variable "vpc_cidr" {{
  type    = string
  default = "10.20.0.0/16"
}}

variable "azs" {{
  type    = list(string)
  default = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}}

variable "vault_mount" {{
  type    = string
  default = "secret"
}}

variable "tags" {{
  type = map(string)
  default = {{
    Team      = "platform"
    ManagedBy = "terraform"
  }}
}}
"#
    )
}

fn main_tf(name: &str) -> String {
    format!(
        r#"locals {{
  name_prefix = "{name}-${{var.environment}}"
  common_tags = merge(var.tags, {{
    Module      = "{name}"
    Environment = var.environment
  }})
}}

data "aws_caller_identity" "current" {{}}

data "aws_region" "current" {{}}

provider "aws" {{
  region = var.region
  default_tags {{
    tags = local.common_tags
  }}
}}
"#
    )
}

fn network(name: &str, rng: &mut Rng) -> String {
    let port = *rng.pick(&[443u32, 8443, 5432, 6379]);
    format!(
        r#"resource "aws_vpc" "this" {{
  cidr_block           = var.vpc_cidr
  enable_dns_hostnames = true
  enable_dns_support   = true
  tags                 = {{ Name = "{name}" }}
}}

resource "aws_subnet" "private" {{
  count             = length(var.azs)
  vpc_id            = aws_vpc.this.id
  availability_zone = var.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index)
  tags              = {{ Tier = "private" }}
}}

resource "aws_security_group" "app" {{
  name        = "${{local.name_prefix}}-app"
  description = "Application traffic for {name}"
  vpc_id      = aws_vpc.this.id

  ingress {{
    description = "app"
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_flow_log" "vpc" {{
  vpc_id          = aws_vpc.this.id
  traffic_type    = "ALL"
  log_destination = aws_s3_bucket.logs.arn
  log_destination_type = "s3"
}}
"#
    )
}

fn iam(name: &str) -> String {
    format!(
        r#"data "aws_iam_policy_document" "assume" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }}
  }}
}}

resource "aws_iam_role" "app" {{
  name               = "${{local.name_prefix}}-app"
  description        = "Runtime role of {name}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}}

resource "aws_iam_policy" "read_logs" {{
  name = "${{local.name_prefix}}-read-logs"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = [aws_s3_bucket.logs.arn, "${{aws_s3_bucket.logs.arn}}/*"]
    }}]
  }})
}}

resource "aws_iam_role_policy_attachment" "read_logs" {{
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.read_logs.arn
}}
"#
    )
}

fn storage(name: &str, rng: &mut Rng) -> String {
    let days = 30 + rng.below(335);
    format!(
        r#"resource "aws_s3_bucket" "logs" {{
  bucket = "{name}-logs-${{data.aws_caller_identity.current.account_id}}"
}}

resource "aws_s3_bucket_versioning" "logs" {{
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {{
  bucket = aws_s3_bucket.logs.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = "aws:kms"
    }}
  }}
}}

resource "aws_s3_bucket_public_access_block" "logs" {{
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {{
  bucket = aws_s3_bucket.logs.id
  rule {{
    id     = "expire"
    status = "Enabled"
    filter {{}}
    expiration {{
      days = {days}
    }}
  }}
}}
"#
    )
}

fn compute(name: &str, rng: &mut Rng) -> String {
    let mem = *rng.pick(&[128u32, 256, 512, 1024]);
    format!(
        r#"resource "aws_lambda_function" "worker" {{
  for_each      = toset(["ingest", "transform", "notify"])
  function_name = "${{local.name_prefix}}-${{each.key}}"
  role          = aws_iam_role.app.arn
  handler       = "bootstrap"
  runtime       = "provided.al2023"
  architectures = ["arm64"]
  memory_size   = {mem}
  timeout       = 30
  filename      = "${{path.module}}/dist/${{each.key}}.zip"

  environment {{
    variables = {{
      LOG_LEVEL = "info"
      SERVICE   = "{name}"
      BUCKET    = aws_s3_bucket.logs.id
    }}
  }}

  tracing_config {{
    mode = "Active"
  }}
}}

resource "aws_cloudwatch_log_group" "worker" {{
  for_each          = aws_lambda_function.worker
  name              = "/aws/lambda/${{each.value.function_name}}"
  retention_in_days = 90
}}
"#
    )
}

fn genesys(i: usize, name: &str, rng: &mut Rng) -> String {
    let mut s = format!(
        r#"resource "genesyscloud_routing_queue" "support" {{
  name                     = "{name} support"
  description              = "Inbound support for {name}"
  acw_timeout_ms           = 300000
  skill_evaluation_method  = "ALL"
  enable_transcription     = true
  media_settings_call {{
    alerting_timeout_sec      = 8
    service_level_percentage  = 0.8
    service_level_duration_ms = 20000
  }}
}}

resource "genesyscloud_routing_queue" "escalations" {{
  count       = {n}
  name        = "{name} escalations ${{count.index}}"
  description = "Escalation tier ${{count.index}}"
}}
"#,
        n = 1 + rng.below(3)
    );
    if has_oauth(i) {
        let scheme = if i.is_multiple_of(6) { "http" } else { "https" };
        let secret = if leaky(i) {
            "\n  client_secret = random_password.oauth_client_secret.result\n"
        } else {
            ""
        };
        s.push_str(&format!(
            r#"
resource "genesyscloud_oauth_client" "app" {{
  name                          = "{name} integration"
  description                   = "Client for the {name} backend"
  access_token_validity_seconds = 86400
  authorized_grant_type         = "CODE"
  registered_redirect_uris      = ["{scheme}://{name}.example.com/callback"]
  scopes                        = ["conversation:call", "user:read"]
{secret}}}
"#
        ));
    }
    s
}

fn secrets(i: usize, name: &str) -> String {
    if leaky(i) {
        // The seed recipe: the generated secret lands in state three times over.
        format!(
            r#"resource "random_password" "oauth_client_secret" {{
  length  = 32
  special = false
}}

resource "vault_generic_secret" "oauth" {{
  path = "${{var.vault_mount}}/data/genesys/oauth/{name}"

  data_json = jsonencode({{
    client_id     = genesyscloud_oauth_client.app.client_id
    client_secret = random_password.oauth_client_secret.result
  }})
}}
"#
        )
    } else {
        // Ephemeral secret into a write-only argument: nothing reaches state.
        format!(
            r#"ephemeral "random_password" "db" {{
  length  = 32
  special = true
}}

resource "vault_kv_secret_v2" "db" {{
  mount               = var.vault_mount
  name                = "{name}/db"
  data_json_wo        = jsonencode({{ password = ephemeral.random_password.db.result }})
  data_json_wo_version = 1
}}
"#
        )
    }
}

fn outputs(i: usize) -> String {
    let mut s = r#"output "vpc_id" {
  value = aws_vpc.this.id
}

output "subnet_ids" {
  value = aws_subnet.private[*].id
}

output "queue_id" {
  value = genesyscloud_routing_queue.support.id
}

output "worker_arns" {
  value = { for k, f in aws_lambda_function.worker : k => f.arn }
}
"#
    .to_string();
    if has_oauth(i) {
        s.push_str(
            r#"
output "oauth_client_id" {
  value = genesyscloud_oauth_client.app.client_id
}
"#,
        );
    }
    s
}

/// Write the repository under `dir`; returns the number of files written.
pub fn write_repo(dir: &Path, seed: u64) -> io::Result<usize> {
    let mut rng = Rng::new(seed);
    let mut n = 0;
    for (i, name) in NAMES.iter().enumerate() {
        let m = dir.join("modules").join(name);
        std::fs::create_dir_all(&m)?;
        let files = [
            ("versions.tf", versions()),
            ("variables.tf", variables(name)),
            ("main.tf", main_tf(name)),
            ("network.tf", network(name, &mut rng)),
            ("iam.tf", iam(name)),
            ("storage.tf", storage(name, &mut rng)),
            ("compute.tf", compute(name, &mut rng)),
            ("genesys.tf", genesys(i, name, &mut rng)),
            ("secrets.tf", secrets(i, name)),
            ("outputs.tf", outputs(i)),
        ];
        debug_assert_eq!(files.len(), FILES_PER_MODULE);
        for (f, text) in files {
            std::fs::write(m.join(f), text)?;
            n += 1;
        }
    }
    Ok(n)
}

use super::*;
use crate::hcl::test_module;

fn policy() -> Policy {
    Policy::with_builtins(&[]).unwrap()
}

fn run(modules: &[Module]) -> Vec<Flow> {
    analyze(&policy(), modules).unwrap()
}

fn of(flows: &[Flow], kind: FlowKind) -> Vec<&Flow> {
    flows.iter().filter(|f| f.kind == kind).collect()
}

#[test]
fn locals_chain_shows_every_hop_at_the_sink_position() {
    let m = test_module(
        "app",
        &[
            (
                "gen.tf",
                "resource \"random_password\" \"oauth_client_secret\" {\n  length = 32\n}\n",
            ),
            (
                "secrets.tf",
                "locals {\n  creds = { client_secret = random_password.oauth_client_secret.result }\n  body  = jsonencode(local.creds)\n}\n\nresource \"vault_generic_secret\" \"genesys_oauth_secret\" {\n  path      = \"secret/x\"\n  data_json = local.body\n}\n",
            ),
        ],
    );
    let flows = run(&[m]);
    let state = of(&flows, FlowKind::SecretToState);
    assert_eq!(state.len(), 1, "{flows:#?}");
    let f = state[0];
    assert_eq!(
        f.hops,
        [
            "random_password.oauth_client_secret.result",
            "local.creds",
            "local.body",
            "vault_generic_secret.genesys_oauth_secret.data_json"
        ]
    );
    assert_eq!(f.loc.to_string(), "app/secrets.tf:8:3");
    assert_eq!(f.address, "vault_generic_secret.genesys_oauth_secret");
    assert_eq!(f.attribute, "data_json");
    let Fact::Argument { source, sink, .. } = &f.fact else {
        panic!("{f:?}")
    };
    assert!(
        matches!(&source.advice, SourceAdvice::Ephemeral { replacement, .. } if replacement == "ephemeral \"random_password\""),
        "{source:?}"
    );
    assert!(
        matches!(sink, SinkAdvice::Catalogue(fix) if fix.contains("data_json_wo_version")),
        "{sink:?}"
    );
    // The generator is reported at its header, naming where it is used.
    let g = of(&flows, FlowKind::PersistedGenerator);
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].loc.to_string(), "app/gen.tf:1:1");
    assert!(matches!(&g[0].fact, Fact::Generator { used_by, .. }
        if used_by.iter().any(|u| u == "vault_generic_secret.genesys_oauth_secret.data_json")));
}

#[test]
fn nested_local_modules_carry_taint_in_and_out() {
    let root = test_module(
        "r",
        &[(
            "main.tf",
            "variable \"pw\" {\n  sensitive = true\n}\nmodule \"a\" {\n  source = \"./a\"\n  secret = var.pw\n}\noutput \"leak\" {\n  value = module.a.out\n}\nresource \"terraform_data\" \"ok\" {\n  input = module.a.name\n}\n",
        )],
    );
    let a = test_module(
        "r/a",
        &[(
            "main.tf",
            "variable \"secret\" {}\nmodule \"b\" {\n  source = \"../b\"\n  value  = var.secret\n}\noutput \"out\" {\n  value = module.b.echo\n}\noutput \"name\" {\n  value = \"static\"\n}\n",
        )],
    );
    let b = test_module(
        "r/b",
        &[(
            "main.tf",
            "variable \"value\" {}\nresource \"terraform_data\" \"copy\" {\n  input = var.value\n}\noutput \"echo\" {\n  value = var.value\n}\n",
        )],
    );
    let flows = run(&[root, a, b]);
    let state = of(&flows, FlowKind::SecretToState);
    assert_eq!(state.len(), 1, "{flows:#?}");
    assert_eq!(state[0].address, "module.a.module.b.terraform_data.copy");
    assert_eq!(state[0].loc.to_string(), "r/b/main.tf:3:3");
    assert_eq!(
        state[0].hops,
        [
            "var.pw",
            "module.a.var.secret",
            "module.a.module.b.var.value",
            "module.a.module.b.terraform_data.copy.input"
        ]
    );
    // Child outputs are not sinks; the root output is.
    let outs = of(&flows, FlowKind::SecretToOutput);
    assert_eq!(outs.len(), 1, "{flows:#?}");
    assert_eq!(outs[0].address, "output.leak");
    assert!(
        outs[0].hops.contains(&"module.a.out".to_string()),
        "{:?}",
        outs[0].hops
    );
}

#[test]
fn values_never_appear_in_flows() {
    let m = test_module(
        "x",
        &[(
            "main.tf",
            "locals {\n  db_password = \"Zq8-very-secret-Value\"\n}\nresource \"aws_db_instance\" \"d\" {\n  password = local.db_password\n  username = \"admin\"\n}\nresource \"aws_db_instance\" \"e\" {\n  password = \"Zq8-other-secret-Value\"\n}\n",
        )],
    );
    let flows = run(&[m]);
    assert_eq!(of(&flows, FlowKind::SecretToState).len(), 2, "{flows:#?}");
    for f in &flows {
        let all = format!("{f:?}");
        assert!(!all.contains("Zq8"), "value leaked: {all}");
    }
}

#[test]
fn cycles_terminate() {
    let m = test_module(
        "loop",
        &[(
            "main.tf",
            "locals {\n  a = local.b\n  b = [local.a, random_password.p.result]\n}\nresource \"random_password\" \"p\" {\n  length = 8\n}\nmodule \"self\" {\n  source = \"./\"\n  x = local.a\n}\nresource \"terraform_data\" \"t\" {\n  input = local.a\n}\n",
        )],
    );
    let flows = run(&[m]);
    assert!(
        !of(&flows, FlowKind::SecretToState).is_empty(),
        "{flows:#?}"
    );
}

#[test]
fn ephemeral_values_only_in_write_only_arguments() {
    let m = test_module(
        "e",
        &[(
            "main.tf",
            "ephemeral \"random_password\" \"p\" {\n  length = 8\n}\nresource \"vault_kv_secret_v2\" \"ok\" {\n  data_json_wo = jsonencode({ p = ephemeral.random_password.p.result })\n  data_json_wo_version = 1\n}\nresource \"vault_kv_secret_v2\" \"bad\" {\n  data_json = jsonencode({ p = ephemeral.random_password.p.result })\n}\n",
        )],
    );
    let flows = run(&[m]);
    let e = of(&flows, FlowKind::EphemeralToState);
    assert_eq!(e.len(), 1, "{flows:#?}");
    assert_eq!(e[0].address, "vault_kv_secret_v2.bad");
    assert!(
        // The catalogue's own text for the twin (it names the partner and the release).
        matches!(&e[0].fact, Fact::Argument { argument, sink: SinkAdvice::Catalogue(fix), .. }
            if argument == "data_json" && fix.contains("`data_json_wo`") && fix.contains("data_json_wo_version")),
        "{:?}",
        e[0].fact
    );
    assert!(of(&flows, FlowKind::PersistedGenerator).is_empty());
    assert!(of(&flows, FlowKind::SecretToState).is_empty());
}

#[test]
fn for_each_each_value_and_tfvars_conditions() {
    let m = test_module(
        "f",
        &[
            (
                "main.tf",
                "variable \"on\" {\n  default = true\n}\nresource \"random_password\" \"p\" {\n  length = 8\n}\nresource \"terraform_data\" \"each\" {\n  for_each = { a = random_password.p.result }\n  input    = each.value\n}\nresource \"terraform_data\" \"gated\" {\n  input = var.on ? random_password.p.result : null\n}\n",
            ),
            ("terraform.tfvars", "on = false\n"),
        ],
    );
    let flows = run(&[m]);
    let addrs: Vec<&str> = of(&flows, FlowKind::SecretToState)
        .iter()
        .map(|f| f.address.as_str())
        .collect();
    assert_eq!(addrs, ["terraform_data.each"], "{flows:#?}");
}

#[test]
fn secret_names_and_literals() {
    let p = policy();
    let cfg = FlowPolicy::load(&p).unwrap();
    for yes in [
        "password",
        "db_password",
        "client_secret",
        "webhook_secret",
        "api_token",
    ] {
        assert!(cfg.is_secret_name(yes), "{yes}");
    }
    for no in [
        "secret",
        "secret_id",
        "token_ttl",
        "password_length",
        "name",
    ] {
        assert!(!cfg.is_secret_name(no), "{no}");
    }
    assert!(cfg.is_secret_literal("hunter2-Prod"));
    assert!(cfg.is_secret_literal("$tr0ngP@s$w0rd"));
    for no in [
        "",
        "abc",
        "changeme",
        "xxxxxxxx",
        "<your-secret>",
        "${var.x}",
    ] {
        assert!(!cfg.is_secret_literal(no), "{no}");
    }
}

#[test]
fn module_cycles_stop_at_the_first_repeat() {
    let root = test_module(
        "r",
        &[(
            "main.tf",
            "resource \"random_password\" \"p\" {\n  length = 8\n}\nmodule \"a\" {\n  source = \"./a\"\n  s      = random_password.p.result\n}\n",
        )],
    );
    let a = test_module(
        "r/a",
        &[(
            "main.tf",
            "variable \"s\" {}\nmodule \"b\" {\n  source = \"../b\"\n  s      = var.s\n}\n",
        )],
    );
    let b = test_module(
        "r/b",
        &[(
            "main.tf",
            "variable \"s\" {}\nmodule \"a\" {\n  source = \"../a\"\n  s      = var.s\n}\nresource \"terraform_data\" \"x\" {\n  input = var.s\n}\n",
        )],
    );
    let flows = run(&[root, a, b]);
    let state = of(&flows, FlowKind::SecretToState);
    assert_eq!(state.len(), 1, "{flows:#?}");
    assert_eq!(state[0].address, "module.a.module.b.terraform_data.x");
    // The call back into `a` is reported once, as a cycle, not expanded.
    let cv = of(&flows, FlowKind::CannotVerify);
    assert_eq!(cv.len(), 1, "{flows:#?}");
    assert!(
        matches!(cv[0].fact, Fact::UnfollowedModule { cycle: true, .. }),
        "{:?}",
        cv[0].fact
    );
    assert_eq!(cv[0].address, "module.a.module.b.module.a");
    assert!(
        flows
            .iter()
            .all(|f| f.address.matches("module.").count() <= 3)
    );
}

#[test]
fn variables_resolve_through_tfvars_or_are_cannot_verify() {
    fn files(tfvars: Option<&'static str>) -> Vec<(&'static str, &'static str)> {
        let mut v = vec![(
            "main.tf",
            "variable \"db_password\" {\n  type = string\n}\nvariable \"name\" {\n  type = string\n}\nresource \"aws_db_instance\" \"x\" {\n  identifier = var.name\n  password   = var.db_password\n}\n",
        )];
        if let Some(t) = tfvars {
            v.push(("terraform.tfvars", t));
        }
        v
    }
    // No value anywhere: the secret-named argument cannot be verified (info), the other
    // argument is not reported.
    let flows = run(&[test_module("v", &files(None))]);
    assert!(of(&flows, FlowKind::SecretToState).is_empty(), "{flows:#?}");
    let cv = of(&flows, FlowKind::CannotVerify);
    assert_eq!(cv.len(), 1, "{flows:#?}");
    assert_eq!(cv[0].attribute, "password");
    assert_eq!(cv[0].loc.to_string(), "v/main.tf:9:3");
    assert!(
        matches!(&cv[0].fact, Fact::Argument { source, .. }
            if source.address == "var.db_password" && matches!(source.kind, OriginKind::Unresolved { .. })),
        "{:?}",
        cv[0].fact
    );
    // A literal in terraform.tfvars is a hard-coded secret that reaches state.
    let flows = run(&[test_module(
        "v",
        &files(Some(
            "db_password = \"Pr0d-Passw0rd-Literal\"\nname = \"db\"\n",
        )),
    )]);
    let state = of(&flows, FlowKind::SecretToState);
    assert_eq!(state.len(), 1, "{flows:#?}");
    assert_eq!(
        state[0].hops,
        ["var.db_password", "aws_db_instance.x.password"]
    );
    assert!(of(&flows, FlowKind::CannotVerify).is_empty(), "{flows:#?}");
    assert!(
        flows
            .iter()
            .all(|f| !format!("{f:?}").contains("Pr0d-Passw0rd"))
    );
    // A placeholder value resolves and is not a secret.
    let flows = run(&[test_module(
        "v",
        &files(Some("db_password = \"changeme\"\nname = \"db\"\n")),
    )]);
    assert!(flows.is_empty(), "{flows:#?}");
}

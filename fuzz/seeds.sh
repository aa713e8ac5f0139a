#!/usr/bin/env bash
# Seeds each target from the project's own files: fixtures, examples and the real-world corpus.
set -euo pipefail
cd "$(dirname "$0")"
root=..
rm -rf seeds && mkdir -p seeds/{hcl,tf_json,state,plan,check,config,genesys_response,vault_response}
n=0
seed() { # target file
  n=$((n + 1))
  cp "$2" "seeds/$1/$n-$(basename "$2")"
}
while IFS= read -r -d '' f; do
  case $f in
    *.tf|*.tfvars) seed hcl "$f" ;;
    *.tf.json|*.tfvars.json) seed tf_json "$f" ;;
    *.tfstate|*.tfstate.backup) seed state "$f" ;;
    *.json)
      if grep -q '"planned_values"\|"resource_changes"' "$f" 2>/dev/null; then seed plan "$f"
      elif grep -q '"version"' "$f" 2>/dev/null; then seed state "$f"; fi ;;
    *.hcl) seed config "$f" ;;
  esac
done < <(find "$root/tests/fixtures" "$root/examples" "$root/tests/corpus" -type f -size -1000k -print0)
# The whole check: a module and a state in one input (options first, NUL-separated).
printf '{}\0' >seeds/check/base
cat "$root/examples/seed/main.tf" >>seeds/check/base
printf '\0' >>seeds/check/base
cat "$root/examples/seed/variables.tf" >>seeds/check/base
printf '\0\0\0' >>seeds/check/base
cat "$root/examples/seed/terraform.tfstate" >>seeds/check/base
printf 'disable = ["TFG001"]\nrule "TFG031" {\n  allow = ["users:readonly"]\n}\nignore {\n  rule = "TFG010"\n  reason = "x"\n}\n' >seeds/config/base.hcl
printf '\xc8\x00{"id":"1f0c","name":"app","authorizedGrantType":"CLIENT-CREDENTIALS","secret":"s","entities":[],"pageCount":1}' >seeds/genesys_response/ok
printf '\x91\x01{"message":"rate","code":"too.many.requests","status":429}' >seeds/genesys_response/429
printf '{"data":{"data":{"client_secret":"x","n":1},"metadata":{"version":3,"created_time":"2026-01-01T00:00:00Z","deletion_time":"","destroyed":false,"custom_metadata":null}}}' >seeds/vault_response/ok
echo "seeds: $(find seeds -type f | wc -l) files" >&2

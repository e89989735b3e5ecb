#!/usr/bin/env bash
# Hostile configuration files end to end (config/README.md "Limits"): an alias bomb, a directory,
# /dev/zero, a file past 16 MiB and nesting 100,000 deep are refused by `config check` and by
# every command with `file:line: key: problem` and exit 2, in little memory (each command runs
# under a 1 GB address-space limit, so a regression fails instead of eating the machine), and
# nothing in the database changes.
# Usage: config_hostile_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
pass=0
failed=0
source "$REPO/tests/cli/lib/asserts.sh"
VALID="$REPO/tests/data/config/gen_workload.yaml"
export OCOP_CONFIG="$VALID" OCOP_DB="sqlite:$WORK/t.db"

# limited COMMAND...: runs the command with at most 1 GB of address space. AddressSanitizer
# reserves terabytes of it up front, so a sanitizer build runs unlimited.
if ldd "$OCOP" 2>/dev/null | grep libasan >/dev/null; then  # not -q: under pipefail, ldd must not meet a closed pipe
  limited() { "$@"; }
else
  limited() { (ulimit -v 1000000 && exec "$@"); }
fi

# "billion laughs": 9 levels of anchors, each list repeating the previous one 10 times (10^9).
bomb() {
  local indent=$1 i k line
  echo "${indent}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"
  for i in 1 2 3 4 5 6 7 8; do
    line="${indent}a$i: &a$i ["
    for k in 0 1 2 3 4 5 6 7 8 9; do line+="*a$((i - 1)), "; done
    echo "${line%, }]"
  done
}
bomb "" >"$WORK/bomb.yaml"
{ cat "$VALID"; echo "junk:"; bomb "  "; } >"$WORK/valid_bomb.yaml"
junk_line=$(($(wc -l <"$VALID") + 7))  # a5's line under junk:
mkdir "$WORK/dir.yaml"
truncate -s 17M "$WORK/huge.yaml"  # sparse: nothing is written
python3 -c "print('units: ' + '[' * 100000 + ']' * 100000)" >"$WORK/deep_flow.yaml"
python3 -c "print('units: ' + '- ' * 100000 + 'x')" >"$WORK/deep_dashes.yaml"
python3 -c "print('units:\n' + '\n'.join(' ' * i + '-' for i in range(2000)))" >"$WORK/deep_block.yaml"  # 2 MB

expect 0 "init with a valid configuration" -- limited "$OCOP" init --simulation

expect 2 "config check of an alias bomb" -- limited "$OCOP" config check "$WORK/bomb.yaml"
stderr_has "the bomb's file, line and key" "bomb.yaml:6: a5\[7\]: this alias takes the document past 1,000,000 values"
expect 2 "config check --json of an alias bomb" -- limited "$OCOP" --json config check "$WORK/bomb.yaml"
check "one problem, with line and key" "out['valid'] is False and len(out['problems']) == 1 and out['problems'][0]['line'] == 6 and out['problems'][0]['key'] == 'a5[7]'"
expect 2 "an alias bomb under an unknown key" -- limited "$OCOP" config check "$WORK/valid_bomb.yaml"
stderr_has "found under junk" "valid_bomb.yaml:$junk_line: junk.a5\[7\]: this alias"
expect 2 "show with an alias bomb for --config" -- limited "$OCOP" --config "$WORK/valid_bomb.yaml" show BX-2026-000001
stderr_has "show names the problem" "valid_bomb.yaml:$junk_line: junk.a5\[7\]"
expect 2 "fire with an alias bomb for --config" -- limited "$OCOP" --json --config "$WORK/bomb.yaml" fire submit_idea --actor producer.bx-c0001 --data '{"id":"BX-2026-000001","product":"P","product_set":"honey","producer":"H","unit":"BX-C0001"}'
check "a JSON bad_input error" "out['error']['code'] == 'bad_input' and 'bomb.yaml:6: a5[7]' in out['error']['message']"
expect 2 "init with an alias bomb" -- limited "$OCOP" --config "$WORK/bomb.yaml" init --simulation

expect 2 "config check of a directory" -- limited "$OCOP" config check "$WORK/dir.yaml"
stderr_has "a directory is named" "dir.yaml: is a directory, not a configuration file"
expect 2 "show with a directory for --config" -- limited "$OCOP" --config "$WORK/dir.yaml" show BX-2026-000001
stderr_has "show says so" "dir.yaml: is a directory, not a configuration file"
expect 2 "config check of /dev/zero" -- limited "$OCOP" config check /dev/zero
stderr_has "a device is named" "/dev/zero: is a character device, not a configuration file"
expect 2 "list with /dev/zero for --config" -- limited "$OCOP" --config /dev/zero list
stderr_has "list says so" "/dev/zero: is a character device"
expect 2 "config check of a file past 16 MiB" -- limited "$OCOP" config check "$WORK/huge.yaml"
stderr_has "the size is named" "huge.yaml: the file is 17,825,792 bytes; a configuration file may be at most 16 MiB"
expect 2 "show with a file past 16 MiB for --config" -- limited "$OCOP" --config "$WORK/huge.yaml" show BX-2026-000001
stderr_has "show says so" "at most 16 MiB"
expect 2 "migrate with a plan that is a directory" -- limited "$OCOP" migrate --plan "$WORK/dir.yaml" --actor x --dry-run
stderr_has "the plan is named" "dir.yaml: is a directory"

expect 2 "config check of 100,000 nested lists" -- limited "$OCOP" config check "$WORK/deep_flow.yaml"
stderr_has "the depth is named" "deep_flow.yaml:1: units\[0\]\[0\].*: nested more than 64 levels deep"
expect 2 "config check of 2,000 nested block lists" -- limited "$OCOP" config check "$WORK/deep_block.yaml"
stderr_has "refused on line 65" "deep_block.yaml:65: .*nested more than 64 levels deep"
expect 2 "config check of 100,000 '- ' on one line" -- limited "$OCOP" config check "$WORK/deep_dashes.yaml"
stderr_has "a syntax error" "deep_dashes.yaml:1: YAML syntax error"
expect 2 "tick with deep nesting for --config" -- limited "$OCOP" --config "$WORK/deep_flow.yaml" tick --dry-run
stderr_has "tick says so" "nested more than 64 levels deep"

# Nothing changed: the database still has no dossier and works with the valid configuration.
expect 0 "list with the valid configuration" -- limited "$OCOP" --json list
check "no dossier was created" "out == [] or out.get('dossiers', out.get('items')) == []"
expect 0 "config check of the valid configuration" -- limited "$OCOP" config check

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]

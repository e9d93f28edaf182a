#!/usr/bin/env bash
# Refresh the vendored front-end packages under static/vendor/ from the npm
# registry, so the site never loads anything from a CDN and needs no Node.js
# at run time.  Node/npm are only needed to run THIS script.
#
#   scripts/vendor.sh
#
# What it does, for every package pinned in PACKAGES below:
#   1. `npm pack name@version` into a temporary directory (no install, no
#      lifecycle scripts);
#   2. checks that the registry still reports the pinned dist.integrity and
#      that the sha512 of the downloaded tarball matches it;
#   3. copies only the listed minified files plus the licence file(s) into
#      static/vendor/<package>/ (dropping `sourceMappingURL` comment lines,
#      since the .map files are not shipped);
#   4. rewrites static/vendor/VERSIONS.json and static/vendor/README.md.
# Everything is staged in the temporary directory first; static/vendor/ is only
# touched once every package has been downloaded and verified.
#
# The output is deterministic: running the script twice gives identical files.
#
# To upgrade a package: change its version below, set its integrity to the
# value printed by `npm view <name>@<version> dist.integrity`, run the script,
# check the diff (and the site), commit.
set -euo pipefail

# name|version|dist.integrity|tarball-path:vendored-name ...
# (tarball paths are relative to the tarball's package/ directory)
PACKAGES=(
  "bootstrap|5.3.9|sha512-20cU0rcfw8WdxtVbmfU+xT2EjvVTw9Ror/h1Qvd7DXCujRg8OO9mdBCsmTHdJFf3BuadmBNJtgIuUXsBqSkk/w==|dist/css/bootstrap.min.css:bootstrap.min.css dist/js/bootstrap.bundle.min.js:bootstrap.bundle.min.js LICENSE:LICENSE"
  "socket.io-client|4.8.4|sha512-7wjKAvVXYOJsbmUgkWbnhPD4bFpkqrUR0++XOjpGFmqDqsqV1CI93VTraeExLxpjxEqrWgFoSRZu1ihjLWfkAA==|dist/socket.io.min.js:socket.io.min.js LICENSE:LICENSE"
  "chart.js|4.6.1|sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g==|dist/chart.umd.min.js:chart.umd.min.js LICENSE.md:LICENSE.md"
  "axe-core|4.14.1|sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==|axe.min.js:axe.min.js LICENSE:LICENSE LICENSE-3RD-PARTY.txt:LICENSE-3RD-PARTY.txt"
)

die() { echo "vendor.sh: $*" >&2; exit 1; }

command -v npm >/dev/null || die "npm is required to refresh the vendored files"
command -v node >/dev/null || die "node is required to refresh the vendored files"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/static/vendor"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vendor.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

export LC_ALL=C
umask 022

# sha512 of a file in Subresource-Integrity form ("sha512-<base64>").
sri_sha512() {
  node -e 'const c=require("crypto"),f=require("fs");
    process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

STAGE="$WORK/stage"
mkdir -p "$STAGE"
: >"$WORK/manifest.tsv"   # name \t version \t license \t integrity \t file \t sha256

for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r name version integrity files <<<"$entry"
  spec="$name@$version"
  echo "==> $spec"

  # 1. The registry must still publish the pinned tarball.
  reg_integrity="$(npm view "$spec" dist.integrity)"
  [[ "$reg_integrity" == "$integrity" ]] \
    || die "$spec: registry dist.integrity is '$reg_integrity', pinned '$integrity'"

  # 2. Download it and check its sha512.
  pkdir="$WORK/$name"
  mkdir -p "$pkdir/x"
  tarball="$(cd "$pkdir" && npm pack "$spec" --ignore-scripts --silent | tail -n 1)"
  [[ -f "$pkdir/$tarball" ]] || die "$spec: npm pack produced no tarball"
  got="$(sri_sha512 "$pkdir/$tarball")"
  [[ "$got" == "$integrity" ]] || die "$spec: tarball sha512 is '$got', expected '$integrity'"
  tar -xzf "$pkdir/$tarball" -C "$pkdir/x" --no-same-owner --no-same-permissions

  pkgjson="$pkdir/x/package/package.json"
  [[ "$(node -p 'require(process.argv[1]).version' "$pkgjson")" == "$version" ]] \
    || die "$spec: package.json has a different version"
  license="$(node -p 'const p=require(process.argv[1]); typeof p.license==="string"?p.license:JSON.stringify(p.license)' "$pkgjson")"

  # 3. Stage just the listed files for this package.
  dest="$STAGE/$name"
  mkdir -p "$dest"
  for pair in $files; do
    src="$pkdir/x/package/${pair%%:*}"
    out="$dest/${pair#*:}"
    [[ -f "$src" ]] || die "$spec: missing ${pair%%:*} in tarball"
    case "$out" in
      *.js|*.css)
        # Drop "//# sourceMappingURL=..." and "/*# sourceMappingURL=... */"
        # lines: the maps are not vendored and browsers would 404 on them.
        sed -E '/^[[:space:]]*\/[*\/][#@] sourceMappingURL=[^[:space:]]*([[:space:]]*\*\/)?[[:space:]]*$/d' "$src" >"$out"
        ! grep -q 'sourceMappingURL=' "$out" || die "$spec: sourceMappingURL left in $out"
        ;;
      *) cp "$src" "$out" ;;
    esac
    chmod 0644 "$out"
    sha="$(sha256sum "$out" | cut -d' ' -f1)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$version" "$license" "$integrity" \
      "$name/${pair#*:}" "$sha" >>"$WORK/manifest.tsv"
  done
done

# 4. VERSIONS.json and README.md, generated from the manifest (sorted keys,
#    so the output only depends on the pinned versions).
node - "$WORK/manifest.tsv" "$STAGE" <<'EOF'
const fs = require("fs"), path = require("path");
const [manifest, vendor] = process.argv.slice(2);
const pkgs = {};
for (const line of fs.readFileSync(manifest, "utf8").split("\n")) {
  if (!line) continue;
  const [name, version, license, integrity, file, sha256] = line.split("\t");
  pkgs[name] ??= { version, license, files: {}, integrity };
  pkgs[name].files[file] = sha256;
}
const sorted = {};
for (const name of Object.keys(pkgs).sort()) {
  const p = pkgs[name], files = {};
  for (const f of Object.keys(p.files).sort()) files[f] = p.files[f];
  sorted[name] = { version: p.version, license: p.license, files, integrity: p.integrity };
}
fs.writeFileSync(path.join(vendor, "VERSIONS.json"), JSON.stringify(sorted, null, 2) + "\n");

const rows = Object.entries(sorted).map(([name, p]) =>
  `| ${name} | ${p.version} | ${p.license} | ${Object.keys(p.files).map(f => "`" + f + "`").join("<br>")} |`);
const readme = `# Vendored front-end packages

<!-- Generated by scripts/vendor.sh; do not edit by hand, edit the script. -->

These files are copied verbatim from the npm registry tarballs (only the
\`sourceMappingURL\` comment lines are removed, because the \`.map\` files are
not shipped), so the site loads nothing from a CDN and needs no Node.js to run.
Reference them through Flask, e.g.
\`url_for('static', filename='vendor/bootstrap/bootstrap.min.css')\`.

| Package | Version | Licence (SPDX) | Files (under \`static/vendor/\`) |
|---|---|---|---|
${rows.join("\n")}

Licences: Bootstrap, Socket.IO client and Chart.js are MIT; axe-core is
MPL-2.0 (its bundled third-party code is listed in
\`axe-core/LICENSE-3RD-PARTY.txt\`). Each package's licence text is shipped
next to its files. axe-core is only used by the accessibility tests.

\`VERSIONS.json\` records, for each package, the version, the SPDX licence, the
npm \`dist.integrity\` (sha512 of the tarball) and the sha256 of every vendored
file (paths relative to this folder).

## Refreshing / upgrading

Requires Node.js and npm (only for this step):

\`\`\`sh
scripts/vendor.sh
\`\`\`

The script \`npm pack\`s each package at the version pinned in its
\`PACKAGES\` list, checks the tarball's sha512 against the pinned and the
registry's \`dist.integrity\`, copies the files here and regenerates
\`VERSIONS.json\` and this README. Running it again gives identical files.
To upgrade, edit the version and integrity in \`scripts/vendor.sh\`
(\`npm view <name>@<version> dist.integrity\`), run it, and review the diff.
`;
fs.writeFileSync(path.join(vendor, "README.md"), readme);
EOF

# 5. All verified: swap the staged files into static/vendor/.
mkdir -p "$VENDOR"
for entry in "${PACKAGES[@]}"; do
  name="${entry%%|*}"
  rm -rf "${VENDOR:?}/$name"
  cp -R "$STAGE/$name" "$VENDOR/$name"
done
cp "$STAGE/VERSIONS.json" "$STAGE/README.md" "$VENDOR/"
echo "==> updated $VENDOR (VERSIONS.json, README.md and package folders)"
echo '==> now run "make css" to rebuild bootstrap/bootstrap.purged.min.css'

#!/usr/bin/env bash
# Turn the 80x24 screen captures that the UI tests take of the real binary
# (tmux capture-pane; regenerate with KEYPAIR_WRITE_SCREENS=1 go test ./ui)
# into SVG pictures for README.md. Usage: docs/screens/render.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
src=ui/testdata/screens
out=docs/screens
render() { # render CAPTURE.txt OUT.svg TITLE
  awk -v title="$3" '
    function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
    { lines[NR] = $0 }
    END {
      cw = 8.4; lh = 17; w = int(80 * cw + 24); h = int(24 * lh + 44)
      printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n", w, h, w, h, esc(title)
      printf "<rect width=\"100%%\" height=\"100%%\" rx=\"6\" fill=\"#1e1e2e\"/>\n"
      printf "<text xml:space=\"preserve\" font-family=\"DejaVu Sans Mono,Menlo,Consolas,monospace\" font-size=\"14\" fill=\"#cdd6f4\">\n"
      for (i = 1; i <= 24 && i <= NR; i++) {
        if (lines[i] == "") continue
        printf "<tspan x=\"12\" y=\"%d\" textLength=\"%.1f\" lengthAdjust=\"spacingAndGlyphs\">%s</tspan>\n", 22 + (i - 1) * lh, length(lines[i]) * cw, esc(lines[i])
      }
      printf "</text>\n</svg>\n"
    }' "$1" > "$2"
}
render "$src/tmux-form.txt"        "$out/form.svg"        "keypair: the form"
render "$src/form-name-taken.txt"  "$out/form-taken.svg"  "keypair: a name that already exists in the region"
render "$src/working.txt"          "$out/working.svg"     "keypair: EC2 is creating the key pair"
render "$src/dryrun-denied.txt"    "$out/dryrun.svg"      "keypair: a denied dry run"
render "$src/tmux-save.txt"        "$out/save.svg"        "keypair: the save dialog"
render "$src/fingerprint-aws.txt"  "$out/fingerprint.svg" "keypair: the fingerprint view"
echo "wrote $out/*.svg"

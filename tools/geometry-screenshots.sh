#!/usr/bin/env bash
# Screenshots of geometry tile and roi in a real ImageJ under Xvfb -> docs/geometry-tile.png,
# docs/geometry-roi.png (XVFB=" " DISPLAY=:N to use a running X server instead of xvfb-run). Needs: mvn -B -DskipTests package, xvfb-run, ImageMagick (import, convert).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plugins/jars"
cp "$(ls "$home"/target/ExplainJ_-*.jar | grep -v -e sources -e tests -e javadoc | head -n 1)" "$work/plugins/ExplainJ_.jar"
for j in "$home"/target/lib/*.jar; do case "$(basename "$j")" in ij-*) ;; *) cp "$j" "$work/plugins/jars/" ;; esac; done
cells="$home/test-images/images/malaria"
model="$home/test-images/models/nlm-malaria/malaria_thinsmear_44.pb"
cat > "$work/shots.ijm" <<MACRO
// a 1024 x 640 field: the four bundled cells twice each, on black
newImage("field", "RGB black", 1024, 640, 1);
field = getTitle();
list = getFileList("$cells/");
x = newArray(40, 300, 560, 820, 150, 420, 690, 880);
y = newArray(60, 40, 90, 50, 400, 430, 380, 470);
k = 0;
for (copy = 0; copy < 2; copy++) for (i = 0; i < list.length; i++) if (endsWith(list[i], ".png")) {
	open("$cells/" + list[i]); w = getWidth(); h = getHeight(); run("Select All"); run("Copy"); close();
	selectImage(field); makeRectangle(x[k], y[k], w, h); run("Paste"); k++;
}
run("Select None");
run("Grad-CAM...", "model=[$model] target=infected score=logit scale=unit reduce=default opacity=0.5 map geometry=tile window=139 window_stride=69 batch=32 layer=auto resolution=input");
mapTitle = getTitle();
selectImage(field); setLocation(0, 0); run("Set... ", "zoom=75");
selectImage(mapTitle); setLocation(780, 0); run("Set... ", "zoom=50");
selectImage("Class map of field"); run("Fire"); setLocation(780, 380); run("Set... ", "zoom=50");
wait(3000);
exec("import", "-window", "root", "$work/tile.png");
close(mapTitle); close("Class map of field");
selectImage(field);
makeRectangle(40, 60, 115, 139); roiManager("add");
makeRectangle(560, 90, 124, 112); roiManager("add");
run("Select None");
run("Gradient...", "model=[$model] target=top score=logit scale=unit reduce=default opacity=0.6 map geometry=roi batch=32");
setLocation(780, 0); run("Set... ", "zoom=50");
selectImage(field); roiManager("Show All without labels"); setLocation(0, 0);
wait(3000);
exec("import", "-window", "root", "$work/roi.png");
File.saveString("done", "$work/done");
MACRO
# ImageJ stays open after the macro (no window manager to quit it): it is ended once the macro says done
TF_CPP_MIN_LOG_LEVEL=2 ${XVFB:-xvfb-run -a -s "-screen 0 1400x900x24"} sh -c 'echo $$ > "$0/imagej.pid"; exec java \
	-Dplugins.dir="$0" -jar "$1" -macro "$0/shots.ijm"' "$work" "$(ls "$home"/target/lib/ij-*.jar)" &
runner=$!
for i in $(seq 1 300); do [ -f "$work/done" ] && break; sleep 1; done
kill "$(cat "$work/imagej.pid")" 2>/dev/null || true
wait "$runner" 2>/dev/null || true
convert "$work/tile.png" -trim "$home/docs/geometry-tile.png"
convert "$work/roi.png" -trim "$home/docs/geometry-roi.png"
echo "wrote docs/geometry-tile.png and docs/geometry-roi.png"

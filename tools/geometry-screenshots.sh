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
cellW = newArray(8); cellH = newArray(8); kinds = newArray(8);
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
// p(infected) on each cell: its box's mean and the value at its middle (printed by this script)
selectImage("Class map of field");
report = "cell\tclass\tbox mean p(infected)\tp(infected) at the middle\n";
k = 0;
for (copy = 0; copy < 2; copy++) for (i = 0; i < list.length; i++) if (endsWith(list[i], ".png")) {
	open("$cells/" + list[i]); w = getWidth(); h = getHeight(); close();
	selectImage("Class map of field"); makeRectangle(x[k], y[k], w, h); getStatistics(area, mean);
	kind = "uninfected"; if (startsWith(list[i], "Parasitized")) kind = "parasitized";
	report = report + k + "\t" + kind + "\t" + d2s(mean, 3) + "\t" + d2s(getPixel(x[k] + w / 2, y[k] + h / 2), 3) + "\n";
	cellW[k] = w; cellH[k] = h; kinds[k] = kind; k++;
}
run("Select None");
File.saveString(report, "$work/p-infected.tsv");
// each cell named above it, on the field and on the class map, so that the two read side by side
for (image = 0; image < 2; image++) {
	if (image == 0) selectImage(field); else selectImage("Class map of field");
	setFont("SansSerif", 26, "bold antialiased");
	for (k = 0; k < kinds.length; k++) {
		// white on a dark box: readable on the class map's yellow too
		makeText(kinds[k] + " ", minOf(x[k], getWidth() - getStringWidth(kinds[k] + "   ")), y[k] - 34);
		Roi.setStrokeColor("white"); Roi.setFillColor("#a0000000"); Overlay.addSelection; run("Select None");
	}
}
// the three images at the same zoom (50%), side by side, whole; the log and the table out of the picture
selectWindow("Log"); setLocation(0, 560); selectWindow("ExplainJ"); setLocation(600, 560);
selectImage(field); run("Set... ", "zoom=50"); setLocation(0, 110);
selectImage(mapTitle); run("Set... ", "zoom=50"); setLocation(530, 110);
selectImage("Class map of field"); run("Set... ", "zoom=50"); setLocation(1060, 110);
wait(3000);
exec("import", "-window", "root", "-crop", "1600x420+0+110", "$work/tile.png");
close(mapTitle); close("Class map of field");
selectImage(field);
makeRectangle(40, 60, 115, 139); roiManager("add");
makeRectangle(560, 90, 124, 112); roiManager("add");
run("Select None");
run("Gradient...", "model=[$model] target=top score=logit scale=unit reduce=default opacity=0.6 map geometry=roi batch=32");
run("Set... ", "zoom=50"); setLocation(530, 110);
selectImage(field); roiManager("Show All without labels"); setLocation(0, 110);
wait(3000);
exec("import", "-window", "root", "-crop", "1060x420+0+110", "$work/roi.png");
File.saveString("done", "$work/done");
MACRO
# ImageJ stays open after the macro (no window manager to quit it): it is ended once the macro says done
TF_CPP_MIN_LOG_LEVEL=2 ${XVFB:-xvfb-run -a -s "-screen 0 1800x1000x24"} sh -c 'echo $$ > "$0/imagej.pid"; exec java \
	-Dplugins.dir="$0" -jar "$1" -macro "$0/shots.ijm"' "$work" "$(ls "$home"/target/lib/ij-*.jar)" &
runner=$!
for i in $(seq 1 300); do [ -f "$work/done" ] && break; sleep 1; done
kill "$(cat "$work/imagej.pid")" 2>/dev/null || true
wait "$runner" 2>/dev/null || true
cat "$work/p-infected.tsv"
convert "$work/tile.png" -trim "$home/docs/geometry-tile.png"
convert "$work/roi.png" -trim "$home/docs/geometry-roi.png"
echo "wrote docs/geometry-tile.png and docs/geometry-roi.png"

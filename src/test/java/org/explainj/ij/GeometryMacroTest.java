package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.explainj.TestData;
import org.explainj.image.Geometry;
import org.explainj.job.ExplainJob;
import org.explainj.job.ExplainOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.process.ColorProcessor;

/**
 * Tiled and ROI runs from a macro in a real ImageJ 1.x under Xvfb, replaying the macro recorder's lines
 * (keys geometry, window and window_stride), with ROIs from the ROI Manager.
 */
class GeometryMacroTest {

	/**
	 * What ImageJ's macro recorder wrote (tools/RecorderLines.java, quoted in the README) for Grad-CAM...
	 * with geometry tile and Gradient... with geometry roi; the model path is relative to the repository
	 * root, where ImageJ runs here as it did there.
	 */
	static final String RECORDED_TILE = "run(\"Grad-CAM...\", \"model=test-images/models/nlm-malaria/malaria_thinsmear_44.pb " +
		"target=infected score=logit scale=default channels=all reduce=default geometry=tile window=140 window_stride=90 " +
		"batch=32 opacity=0.5 map layer=auto resolution=input\");";
	static final String RECORDED_ROI = "run(\"Gradient...\", \"model=test-images/models/nlm-malaria/malaria_thinsmear_44.pb " +
		"target=top score=logit scale=default channels=all reduce=default geometry=roi window=0 window_stride=0 batch=32 " +
		"opacity=0.5 map\");";

	@TempDir
	Path tmp;

	@Test
	void readmeQuotesTheRecordedLines() throws Exception {
		String readme = Files.readString(Path.of("README.md"));
		assertTrue(readme.contains(RECORDED_TILE), "README quotes the recorded tiled run");
		assertTrue(readme.contains(RECORDED_ROI), "README quotes the recorded ROI run");
	}

	@Test
	void tiledAndRoiRunsReplayInImageJ() throws Exception {
		Files.createDirectories(tmp.resolve("plugins/jars"));
		MacroTest.pluginJar(Path.of("target/classes"), tmp.resolve("plugins/ExplainJ_.jar"));
		for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
			Path jar = Path.of(entry);
			String name = jar.getFileName().toString();
			if (name.endsWith(".jar") && MacroTest.PLUGIN_JARS.stream().anyMatch(name::startsWith)) Files.copy(jar, tmp.resolve(
				"plugins/jars").resolve(name));
		}
		ColorProcessor cp = new ColorProcessor(320, 160);
		cp.insert(TestData.open(TestData.PARASITIZED).getProcessor(), 10, 10);
		cp.insert(TestData.open(TestData.UNINFECTED).getProcessor(), 180, 20);
		Path field = tmp.resolve("field.tif");
		IJ.saveAsTiff(new ImagePlus("field", cp), field.toString());
		Path tiled = tmp.resolve("tiled.tif"), classes = tmp.resolve(
			"classes.tif"), rois = tmp.resolve("rois.tif"), log = tmp.resolve("log.txt");
		String macro = String.join("\n", "open(\"" + field + "\");", "source = getTitle();",
			RECORDED_TILE,
			"saveAs(\"Tiff\", \"" + tiled + "\");",
			"selectImage(\"Class map of \" + source);", "saveAs(\"Tiff\", \"" + classes + "\");",
			"selectImage(source);", "makeRectangle(10, 10, 115, 139);", "roiManager(\"add\");",
			"makeRectangle(180, 20, 124, 112);", "roiManager(\"add\");", "run(\"Select None\");",
			RECORDED_ROI,
			"saveAs(\"Tiff\", \"" + rois + "\");",
			"n = Table.size(\"ExplainJ\");",
			"File.saveString(Table.getString(\"Region\", n - 2, \"ExplainJ\") + \"\\n\" + Table.getString(\"Region\", n - 1, " +
				"\"ExplainJ\") + \"\\n\" + Table.getString(\"Windows\", 0, \"ExplainJ\"), \"" + log + "\");");
		Path macroFile = Files.writeString(tmp.resolve("geometry.ijm"), macro);
		Path ij = Path.of(IJ.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		ProcessBuilder pb = new ProcessBuilder("xvfb-run", "-a", MacroTest.javaBinary(), "-Djava.awt.headless=false",
			"-Dplugins.dir=" + tmp, "-jar", ij.toString(), "-batch", macroFile.toString());
		pb.directory(new File("").getAbsoluteFile());
		pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		pb.redirectErrorStream(true);
		Process p = pb.start();
		byte[] output = p.getInputStream().readAllBytes();
		assertTrue(p.waitFor(180, TimeUnit.SECONDS), "ImageJ did not finish");
		String console = new String(output, StandardCharsets.UTF_8);
		assertTrue(Files.exists(log), "the macro did not finish:\n" + console);
		List<String> lines = Files.readAllLines(log);
		// the ROI Manager's names (position-based, e.g. '0079-0067') and the boxes
		assertTrue(lines.get(0).matches("ROI 1 '[0-9-]+' \\(x 10, y 10, 115 x 139 pixels\\)"), lines + "\n" + console);
		assertTrue(lines.get(1).matches("ROI 2 '[0-9-]+' \\(x 180, y 20, 124 x 112 pixels\\)"), lines.toString());
		assertEquals("6", lines.get(2), "the tiled row's window count");
		ImagePlus image = IJ.openImage(field.toString());
		var tile = ExplainJob.run(image, new ExplainOptions(TestData.MALARIA, org.explainj.methods.Methods.byName(
			"grad-cam"), new org.explainj.methods.Target("infected"), org.explainj.model.ScoreKind.LOGIT,
			org.explainj.image.IntensityScaling.UNIT, null, 32, java.util.Map.of("layer", "auto", "resolution", "input"),
			false, null, new Geometry(Geometry.Kind.TILE, 140, 90, List.of())));
		assertArrayEquals(tile.map(0, 0), (float[]) IJ.openImage(tiled.toString()).getProcessor().getPixels(), 1e-6f);
		assertArrayEquals((float[]) tile.classMapImage().getProcessor().getPixels(), (float[]) IJ.openImage(classes
			.toString()).getProcessor().getPixels(), 1e-6f);
		var roi = ExplainJob.run(image, ExplainOptions.defaults(TestData.MALARIA, "gradient").withGeometry(new Geometry(
			Geometry.Kind.ROI, 0, 0, List.of(new Roi(10, 10, 115, 139), new Roi(180, 20, 124, 112)))));
		assertArrayEquals(roi.map(0, 0), (float[]) IJ.openImage(rois.toString()).getProcessor().getPixels(), 1e-6f);
	}
}

package org.explainj.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.explainj.TestData;
import org.explainj.image.IntensityScaling;
import org.explainj.methods.Methods;
import org.explainj.methods.Target;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;

/** Inputs that run but need a word: a regression head, an image far smaller than the model's input. */
class InputNotesTest {

	@TempDir
	Path tmp;

	/**
	 * A linear regression y = w.x + 0.5: its gradient is w and its output the dot product, both by hand;
	 * the label gives the raw output and no probability (a softmax over one unit would say p=1).
	 */
	@Test
	void aRegressionHeadIsExplainedByItsRawOutput() throws Exception {
		Path model = TestData.regressionModel(tmp.resolve("regression.pb"));
		ByteProcessor bp = new ByteProcessor(28, 28);
		for (int i = 0; i < 784; i++) bp.set(i, (i * 37) % 256);
		ImagePlus image = new ImagePlus("ramp", bp);
		ExplainResult r = ExplainJob.run(image, new ExplainOptions(model, Methods.byName("gradient"), Target.TOP,
			ScoreKind.LOGIT, IntensityScaling.NONE, null, 8, Map.of()));
		double y = 0.5;
		for (int i = 0; i < 784; i++) y += TestData.regressionWeight(i) * ((i * 37) % 256);
		float[] map = r.map(0, 0);
		for (int i = 0; i < 784; i++) assertEquals(TestData.regressionWeight(i), map[i], 1e-5, "gradient at pixel " + i);
		assertEquals(y, r.explanation().targetScores()[0], 1e-3 * y);
		assertEquals(String.format(java.util.Locale.ROOT, "output %.4g (regression, no probability)", y), r.label(0));
		assertTrue(r.notes().stream().anyMatch(n -> n.contains("one linear output (a regression")), r.notes().toString());
	}

	@Test
	void aTinyImageIsExplainedWithANoteOnItsUpsampling() {
		// coloured (red: its values span 0 to 255), so that only the size needs a word
		ImagePlus one = new ImagePlus("dot", new ColorProcessor(1, 1, new int[] { 0xff0000 }));
		ExplainResult r = ExplainJob.run(one, ExplainOptions.defaults(TestData.MALARIA, "gradient"));
		assertEquals(List.of("The image (1 x 1 pixels) was upsampled 44-fold to the model's input (44 x 44): the map " +
			"explains an enlarged, blurred copy."), r.notes());
		ImagePlus quarter = new ImagePlus("quarter", red(11, 44));
		assertTrue(ExplainJob.run(quarter, ExplainOptions.defaults(TestData.MALARIA, "gradient")).notes().get(0).contains(
			"upsampled 4-fold"));
		ImagePlus almost = new ImagePlus("almost", red(12, 44));
		assertEquals(List.of(), ExplainJob.run(almost, ExplainOptions.defaults(TestData.MALARIA, "gradient")).notes());
		// bin/explainj succeeds and says it on stderr
		Path dot = tmp.resolve("dot.tif"), out = tmp.resolve("dot-map.tif");
		ij.IJ.saveAsTiff(one, dot.toString());
		java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
		int code = org.explainj.cli.Main.run(new String[] { "explain", "--model", TestData.MALARIA.toString(), "--image", dot
			.toString(), "--method", "gradient", "--out", out.toString() }, new java.io.PrintStream(
				new java.io.ByteArrayOutputStream()), new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
		assertEquals(0, code, err.toString());
		assertTrue(err.toString().startsWith("explainj: note: The image (1 x 1 pixels) was upsampled 44-fold"), err.toString());
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		assertEquals(List.of(), ExplainJob.run(cell, ExplainOptions.defaults(TestData.MALARIA, "gradient")).notes());
	}

	private static ColorProcessor red(int width, int height) {
		ColorProcessor cp = new ColorProcessor(width, height);
		cp.setColor(java.awt.Color.RED);
		cp.fill();
		return cp;
	}
}

package org.explainj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.explainj.TestData;
import org.explainj.image.IntensityScaling;
import org.explainj.job.ExplainJob;
import org.explainj.job.ExplainOptions;
import org.explainj.job.ExplainResult;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;

/** bin/explainj's contract, through the same entry point the launcher calls. */
class CliTest {

	@TempDir
	Path tmp;

	record Run(int code, String out, String err) {}

	static Run run(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
		int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
			StandardCharsets.UTF_8));
		return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	@Test
	void explainWritesRawFloatMapsInTheImagesGeometry() {
		Path tif = tmp.resolve("map.tif"), png = tmp.resolve("overlay.png");
		Run r = run("explain", "--model", TestData.MALARIA.toString(), "--image", TestData.PARASITIZED.toString(),
			"--method", "gradient-x-input", "--out", tif.toString(), "--overlay", png.toString(), "--target", "infected");
		assertEquals(0, r.code(), r.err());
		assertTrue(r.out().contains("infected: logit "), r.out());
		ImagePlus map = IJ.openImage(tif.toString());
		ImagePlus source = TestData.open(TestData.PARASITIZED);
		assertEquals(32, map.getBitDepth());
		assertEquals(source.getWidth(), map.getWidth());
		assertEquals(source.getHeight(), map.getHeight());
		ExplainResult direct = ExplainJob.run(source, new ExplainOptions(TestData.MALARIA, Methods.byName(
			"gradient-x-input"), new Target("infected"), ScoreKind.LOGIT, IntensityScaling.UNIT, Reduction.SUM, 8, java.util.Map.of()));
		assertArrayEquals(direct.map(0, 0), (float[]) map.getProcessor().getPixels(), 1e-6f, "raw, unnormalised values");
		float min = Float.MAX_VALUE;
		for (float v : (float[]) map.getProcessor().getPixels()) min = Math.min(min, v);
		assertTrue(min < 0, "signed relevance keeps its negative values");
		ImagePlus overlay = IJ.openImage(png.toString());
		assertEquals(source.getWidth(), overlay.getWidth());
		assertEquals(ImagePlus.COLOR_RGB, overlay.getType());
	}

	@Test
	void reduceNoneKeepsTheChannelsAndScaleNoneFeedsPixelValues() {
		Path tif = tmp.resolve("channels.tif");
		Run r = run("explain", "--model", TestData.MALARIA.toString(), "--image", TestData.PARASITIZED.toString(),
			"--method", "gradient", "--out", tif.toString(), "--reduce", "none", "--scale", "none", "--score", "probability");
		assertEquals(0, r.code(), r.err());
		ImagePlus map = IJ.openImage(tif.toString());
		assertEquals(3, map.getNChannels());
		assertTrue(r.out().contains("probability"), r.out());
	}

	@Test
	void badInputIsOneLineOnStderrAndNoFile() throws Exception {
		Path tif = tmp.resolve("never.tif");
		String[][] cases = {
			{ "explain", "--model", tmp.resolve("missing").toString(), "--image", TestData.DIGIT.toString(), "--method",
				"saliency", "--out", tif.toString() },
			{ "explain", "--model", tmp.toString(), "--image", TestData.DIGIT.toString(), "--method", "saliency", "--out",
				tif.toString() },
			{ "explain", "--model", TestData.MALARIA.toString(), "--image", TestData.DIGIT.toString(), "--method", "lrp-9",
				"--out", tif.toString() },
			{ "explain", "--model", TestData.MALARIA.toString(), "--image", tmp.resolve("none.png").toString(), "--method",
				"saliency", "--out", tif.toString() },
			{ "explain", "--model", TestData.MALARIA.toString(), "--image", TestData.DIGIT.toString(), "--method",
				"saliency", "--out", tif.toString(), "--batch-size", "many" },
			{ "explain", "--model", TestData.MALARIA.toString(), "--method", "saliency", "--out", tif.toString() },
			{ "explain", "--bogus", "1" },
			{ "frobnicate" } };
		String[] expected = { "Model not found", "is not a TensorFlow model", "Unknown method 'lrp-9'", "Image not found",
			"'--batch-size' must be a whole number", "explain needs --image", "Unknown option --bogus", "Unknown command" };
		for (int i = 0; i < cases.length; i++) {
			Run r = run(cases[i]);
			assertEquals(1, r.code(), String.join(" ", cases[i]));
			assertEquals(1, r.err().strip().lines().count(), r.err());
			assertTrue(r.err().startsWith("explainj: ") && r.err().contains(expected[i]), r.err());
		}
		assertFalse(Files.exists(tif));
		try (var files = Files.list(tmp)) {
			assertEquals(0, files.filter(p -> p.getFileName().toString().startsWith(".explainj-")).count(),
				"no half-written temporary files");
		}
	}

	@Test
	void channelsThatCannotBeMappedFailClearly() throws Exception {
		ij.ImageStack stack = new ij.ImageStack(30, 30);
		stack.addSlice(new ij.process.ByteProcessor(30, 30));
		stack.addSlice(new ij.process.ByteProcessor(30, 30));
		ImagePlus two = new ImagePlus("two", stack);
		two.setDimensions(2, 1, 1);
		Path file = tmp.resolve("two-channels.tif");
		IJ.saveAsTiff(two, file.toString());
		Run r = run("explain", "--model", TestData.MALARIA.toString(), "--image", file.toString(), "--method", "saliency",
			"--out", tmp.resolve("x.tif").toString());
		assertEquals(1, r.code());
		assertTrue(r.err().contains("The image has 2 channels but the model expects 3"), r.err());
	}

	/** A baseline image file reaches integrated gradients: the gap is reported against that baseline. */
	@Test
	void integratedGradientsTakesABaselineImageFile() {
		Path tif = tmp.resolve("ig.tif");
		Run r = run("explain", "--model", TestData.MALARIA.toString(), "--image", TestData.PARASITIZED.toString(),
			"--method", "integrated-gradients", "--baseline", TestData.UNINFECTED.toString(), "--steps", "32", "--out", tif
				.toString());
		assertEquals(0, r.code(), r.err());
		assertTrue(r.out().contains("completeness-gap"), r.out());
		Run missing = run("explain", "--model", TestData.MALARIA.toString(), "--image", TestData.PARASITIZED.toString(),
			"--method", "integrated-gradients", "--baseline", tmp.resolve("no.png").toString(), "--out", tif.toString());
		assertEquals(1, missing.code());
		assertTrue(missing.err().contains("Cannot open the baseline image"), missing.err());
	}

	@Test
	void methodsAndInspectDescribeWhatIsThere() {
		Run methods = run("methods");
		assertEquals(0, methods.code());
		for (String m : new String[] { "gradient ", "sensitivity", "saliency", "gradient-x-input" }) {
			assertTrue(methods.out().contains(m), methods.out());
		}
		Run inspect = run("inspect", "--model", TestData.MNIST.toString());
		assertEquals(0, inspect.code(), inspect.err());
		assertTrue(inspect.out().contains("TF2/Keras SavedModel (functions inlined)"), inspect.out());
		assertTrue(inspect.out().contains("conv2d_1 [Conv2D, BiasAdd, Relu] -> [-1, 11, 11, 64]"), inspect.out());
	}

	@Test
	void demoWritesMapsOverlaysAndAMontage() throws Exception {
		Path out = tmp.resolve("demo");
		Run r = run("demo", "--out", out.toString());
		assertEquals(0, r.code(), r.err());
		assertTrue(r.out().contains("Parasitized__C39P4thinF_original_IMG_20150622_110900_cell_16.png"), r.out());
		assertEquals(4, r.out().lines().filter(l -> l.contains("predicted")).count(), r.out());
		assertEquals(2, r.out().lines().filter(l -> l.startsWith("Parasitized") && l.contains("predicted infected"))
			.count(), r.out());
		assertEquals(2, r.out().lines().filter(l -> l.startsWith("Uninfected") && l.contains("predicted uninfected"))
			.count(), r.out());
		try (var files = Files.list(out)) {
			var names = files.map(p -> p.getFileName().toString()).toList();
			int methods = Methods.all().size();
			assertEquals(4 * methods, names.stream().filter(n -> n.endsWith(".tif")).count());
			assertEquals(4 * methods, names.stream().filter(n -> n.endsWith("_overlay.png")).count());
			assertTrue(names.contains("montage.png"));
		}
	}
}

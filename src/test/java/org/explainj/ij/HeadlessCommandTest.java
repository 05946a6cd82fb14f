package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutionException;

import org.explainj.HeadlessCommands;
import org.explainj.ExplainException;
import org.explainj.TestData;
import org.explainj.job.ExplainJob;
import org.explainj.job.ExplainOptions;
import org.explainj.job.ExplainResult;
import org.explainj.methods.Methods;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.scijava.command.CommandService;
import org.scijava.module.Module;

import ij.ImagePlus;
import ij.gui.ImageRoi;

/** The commands as a script or headless Fiji runs them: through CommandService, no dialogs. */
class HeadlessCommandTest {

	@RegisterExtension
	static final HeadlessCommands COMMANDS = new HeadlessCommands();

	@Test
	void saliencyCommandAddsAnOverlayAndReturnsTheRawMap() throws Exception {
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		int[] pixels = ((int[]) cell.getProcessor().getPixels()).clone();
		Module module = COMMANDS.run(ExplainCommand.class, true, "method", "saliency", "image", cell, "model",
			TestData.MALARIA.toFile(), "target", "infected", "opacity", 0.4).get();
		ImagePlus map = (ImagePlus) module.getOutput("map");
		assertEquals(32, map.getBitDepth());
		assertEquals(cell.getWidth(), map.getWidth());
		assertEquals(cell.getHeight(), map.getHeight());
		ExplainResult direct = ExplainJob.run(cell, new ExplainOptions(TestData.MALARIA, Methods.byName("saliency"),
			new org.explainj.methods.Target("0"), org.explainj.model.ScoreKind.LOGIT,
			org.explainj.image.IntensityScaling.UNIT, null, 1, java.util.Map.of()));
		assertArrayEquals(direct.map(0, 0), (float[]) map.getProcessor().getPixels(), 1e-6f);
		assertEquals(3, cell.getOverlay().size(), "the heatmap and a colour bar (strip and range)");
		ImageRoi roi = (ImageRoi) cell.getOverlay().get(0);
		assertEquals("ExplainJ saliency infected", roi.getName());
		assertEquals(0.4, roi.getOpacity(), 1e-9);
		assertArrayEquals(pixels, (int[]) cell.getProcessor().getPixels(), "source pixels unchanged");
		// running again replaces the heatmap rather than stacking a second one
		COMMANDS.run(ExplainCommand.class, true, "method", "saliency", "image", cell, "model", TestData.MALARIA
			.toFile(), "target", "infected", "map", false).get();
		assertEquals(3, cell.getOverlay().size());
	}

	@Test
	void aStackGetsOneOverlayPerSliceAndAMapStack() throws Exception {
		ImagePlus a = TestData.open(TestData.PARASITIZED), b = TestData.open(TestData.UNINFECTED);
		ij.ImageStack stack = new ij.ImageStack(64, 64);
		stack.addSlice(a.getProcessor().resize(64, 64));
		stack.addSlice(b.getProcessor().resize(64, 64));
		ImagePlus cells = new ImagePlus("cells", stack);
		Module module = COMMANDS.run(ExplainCommand.class, true, "method", "gradient-x-input", "image", cells,
			"model", TestData.MALARIA.toFile(), "reduce", "none").get();
		ImagePlus map = (ImagePlus) module.getOutput("map");
		assertEquals(3, map.getNChannels(), "reduce none keeps the RGB channels");
		assertEquals(6, map.getStackSize());
		assertEquals(4, cells.getOverlay().size(), "a heatmap per slice and one colour bar (strip and range)");
		assertEquals(1, cells.getOverlay().get(0).getPosition());
		assertEquals(2, cells.getOverlay().get(1).getPosition());
		assertTrue(cells.getOverlay().get(0).getName().endsWith("infected"));
		assertTrue(cells.getOverlay().get(1).getName().endsWith("uninfected"));
	}

	@Test
	void integratedGradientsReportsItsCompletenessGapInTheTable() throws Exception {
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		Module module = COMMANDS.run(ExplainCommand.class, true, "method", "integrated-gradients", "image", cell,
			"model", TestData.MALARIA.toFile(), "steps", 16, "map", false).get();
		ij.measure.ResultsTable table = ((ExplainCommand) module.getDelegateObject()).results;
		assertEquals("integrated-gradients", table.getStringValue("Method", table.size() - 1));
		double gap = table.getValue("completeness-gap", table.size() - 1);
		assertTrue(Math.abs(gap) > 0 && Math.abs(gap) < 1, "gap " + gap);
		assertEquals("infected", table.getStringValue("Predicted", table.size() - 1));
	}

	@Test
	void badInputFailsWithOneClearMessageAndLeavesTheImageAlone() {
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		ExecutionException e = assertThrows(ExecutionException.class, () -> COMMANDS.run(
			ExplainCommand.class, true, "method", "sensitivity", "image", cell, "model", TestData.MALARIA.toFile(), "target", "parasite").get());
		Throwable cause = e.getCause();
		while (cause != null && !(cause instanceof ExplainException)) cause = cause.getCause();
		assertTrue(cause != null && cause.getMessage().startsWith("Unknown target 'parasite'."), String.valueOf(cause));
		assertTrue(cause.getMessage().contains("[infected, uninfected]"), cause.getMessage());
		assertEquals(null, cell.getOverlay());
	}

	/** Every menu entry's method, as plugins.config lists them, runs headless and returns a map. */
	@org.junit.jupiter.params.ParameterizedTest
	@org.junit.jupiter.params.provider.MethodSource("menuMethods")
	void everyMenuMethodRunsHeadless(String method) throws Exception {
		ImagePlus cell = TestData.open(TestData.UNINFECTED);
		Module module = COMMANDS.run(ExplainCommand.class, true, "method", method, "image", cell, "model", TestData.MALARIA
			.toFile()).get();
		ImagePlus map = (ImagePlus) module.getOutput("map");
		assertEquals(cell.getWidth(), map.getWidth());
		assertEquals(cell.getHeight(), map.getHeight());
		float max = 0;
		for (float v : (float[]) map.getProcessor().getPixels()) max = Math.max(max, Math.abs(v));
		assertTrue(max > 0 && Float.isFinite(max), method + " map max " + max);
	}

	static java.util.stream.Stream<String> menuMethods() throws java.io.IOException {
		return java.nio.file.Files.readAllLines(TestData.MENU).stream().filter(l -> l
			.contains("(\"method=")).map(l -> l.replaceAll(".*\\(\"method=([^\"]+)\"\\).*", "$1"));
	}

	@Test
	void evaluateComparesMethodsOnTheSlicesOfAStack() throws Exception {
		ij.ImageStack stack = new ij.ImageStack(64, 64);
		for (java.nio.file.Path p : new java.nio.file.Path[] { TestData.PARASITIZED, TestData.UNINFECTED }) {
			stack.addSlice(TestData.open(p).getProcessor().resize(64, 64));
		}
		Module module = COMMANDS.run(EvaluateCommand.class, true, "image", new ImagePlus(
			"cells", stack), "model", TestData.MALARIA.toFile(), "methods", "saliency,random", "steps", 8, "metric", "all")
			.get();
		EvaluateCommand command = (EvaluateCommand) module.getDelegateObject();
		assertEquals(2, command.results.size());
		assertEquals("random", command.scores.get(1).method());
		assertTrue(module.getOutput("plot") instanceof ImagePlus);
		ImagePlus maps = (ImagePlus) module.getOutput("continuityMaps");
		assertEquals(2 * 11, maps.getStackSize(), "two methods x (10 translations + the original)");
		assertTrue(command.scores.get(0).continuityMean() <= command.scores.get(0).continuity());
	}

	@Test
	void evaluateUsesASelectionUnderAutoAsItsCrop() throws Exception {
		// a parasitized cell pasted into a larger black field, selected
		ij.process.ColorProcessor field = new ij.process.ColorProcessor(300, 220);
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		field.insert(cell.getProcessor(), 120, 40);
		ImagePlus selected = new ImagePlus("field", field);
		selected.setRoi(120, 40, cell.getWidth(), cell.getHeight());
		double bySelection = gradientAuc(selected, "auto"), byCrop = gradientAuc(cell, "auto");
		assertEquals(byCrop, bySelection, 1e-6, "the selection is the crop");
		assertTrue(Math.abs(gradientAuc(selected, "fit") - bySelection) > 1e-4,
			"fit evaluates the whole field, not the selection");
	}

	/** The gradient's selectivity AUC from the Evaluate command on {@code image} under {@code geometry}. */
	private static double gradientAuc(ImagePlus image, String geometry) throws Exception {
		EvaluateCommand command = (EvaluateCommand) COMMANDS.run(EvaluateCommand.class, true, "image", image, "model",
			TestData.MALARIA.toFile(), "methods", "gradient,random", "steps", 8, "metric", "selectivity", "geometry",
			geometry).get().getDelegateObject();
		return command.scores.stream().filter(score -> score.method().equals("gradient")).findFirst().orElseThrow().auc();
	}

	@Test
	void sanityCheckRunsHeadlessOnTheSlicesOfAStack() throws Exception {
		ij.ImageStack stack = new ij.ImageStack(44, 44);
		for (java.nio.file.Path p : new java.nio.file.Path[] { TestData.PARASITIZED, TestData.UNINFECTED }) {
			stack.addSlice(TestData.open(p).getProcessor().resize(44, 44));
		}
		Module module = COMMANDS.run(SanityCheckCommand.class, true, "image", new ImagePlus(
			"cells", stack), "model", TestData.MALARIA.toFile(), "methods", "gradient").get();
		SanityCheckCommand command = (SanityCheckCommand) module.getDelegateObject();
		assertEquals(13, command.results.size(), "6 cascade rows, 6 single layers, one random class");
		assertTrue(module.getOutput("plot") instanceof ImagePlus);
		assertEquals(1, ((ImagePlus) module.getOutput("montage")).getStackSize());
	}

	@Test
	void aRerunOnAStackReplacesEveryHeatmapAndKeepsOnePerSlice() throws Exception {
		ij.ImageStack stack = new ij.ImageStack(64, 64);
		for (int i = 0; i < 3; i++) stack.addSlice(TestData.open(TestData.PARASITIZED).getProcessor().resize(64, 64));
		ImagePlus cells = new ImagePlus("three", stack);
		for (int run = 0; run < 2; run++) {
			COMMANDS.run(ExplainCommand.class, true, "method", "saliency", "image", cells, "model", TestData.MALARIA
				.toFile(), "map", false).get();
			assertEquals(5, cells.getOverlay().size(), "three heatmaps and one colour bar (strip and range), run " + run);
			for (int i = 0; i < 3; i++) assertEquals(i + 1, cells.getOverlay().get(i).getPosition());
		}
	}
}

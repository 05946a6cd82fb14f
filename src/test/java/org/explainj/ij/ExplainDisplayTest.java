package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.explainj.HeadlessCommands;
import org.explainj.TestData;
import org.explainj.image.IntensityScaling;
import org.explainj.job.ExplainJob;
import org.explainj.job.ExplainOptions;
import org.explainj.methods.Methods;
import org.explainj.methods.Target;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.scijava.module.Module;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.OvalRoi;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.process.ColorProcessor;

/** What a user sees after a run: overlays, colour bars, one range for a stack, the table, the status line. */
class ExplainDisplayTest {

	@RegisterExtension
	static final HeadlessCommands COMMANDS = new HeadlessCommands();

	private static Module run(String method, Object... inputs) throws Exception {
		Object[] all = new Object[inputs.length + 2];
		all[0] = "method";
		all[1] = method;
		System.arraycopy(inputs, 0, all, 2, inputs.length);
		return COMMANDS.run(ExplainCommand.class, true, all).get();
	}

	private static List<Roi> named(Overlay overlay, String prefix) {
		List<Roi> rois = new ArrayList<>();
		for (Roi roi : overlay) if (roi.getName() != null && roi.getName().startsWith(prefix)) rois.add(roi);
		return rois;
	}

	private static int[] alpha(Roi roi) {
		int[] argb = (int[]) ((ImageRoi) roi).getProcessor().getPixels();
		int[] alpha = new int[argb.length];
		for (int i = 0; i < argb.length; i++) alpha[i] = argb[i] >>> 24;
		return alpha;
	}

	private static double mean(int[] values) {
		double sum = 0;
		for (int v : values) sum += v;
		return sum / values.length;
	}

	@Test
	void aRerunReplacesTheHeatmapAndColourBarButKeepsTheUsersRois() throws Exception {
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		Overlay own = new Overlay(new OvalRoi(2, 2, 10, 10));
		own.get(0).setName("nucleus");
		cell.setOverlay(own);
		for (int i = 0; i < 2; i++) run("saliency", "image", cell, "model", TestData.MALARIA.toFile(),
			"map", false);
		Overlay overlay = cell.getOverlay();
		assertEquals(1, named(overlay, "ExplainJ saliency").size(), "one heatmap after two runs");
		assertEquals(2, named(overlay, "ExplainJ colour bar").size(), "one colour bar (strip and range text)");
		assertEquals(1, named(overlay, "nucleus").size(), "the user's own ROI stays");
		run("saliency", "image", cell, "model", TestData.MALARIA.toFile(), "map", false, "keep", true);
		assertEquals(2, named(cell.getOverlay(), "ExplainJ saliency").size(), "keep stacks the new heatmap");
	}

	@Test
	void theOverlayIsTransparentWhereTheMapIsZeroAndTheMapImageHasAColourBar() throws Exception {
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		Module module = run("gradient-x-input", "image", cell, "model", TestData.MALARIA.toFile());
		ImagePlus map = (ImagePlus) module.getOutput("map");
		float[] values = (float[]) map.getProcessor().getPixels();
		int[] alpha = alpha(named(cell.getOverlay(), "ExplainJ gradient").get(0));
		int zeros = 0, opaque = 0;
		double max = 0;
		for (float v : values) max = Math.max(max, Math.abs(v));
		for (int i = 0; i < values.length; i++) {
			// gradient x input is exactly 0 on the black background around the cell
			if (values[i] == 0) {
				zeros++;
				assertEquals(0, alpha[i], "pixel " + i + " of a zero map is transparent");
			}
			if (alpha[i] == 255) opaque++;
			// the most relevant pixels are opaque, weak ones faint
			if (Math.abs(values[i]) < max / 100) assertTrue(alpha[i] < 30, "pixel " + i + " alpha " + alpha[i]);
		}
		assertTrue(zeros > 100, zeros + " zero pixels");
		assertTrue(opaque > 0, "the strongest pixels are opaque");
		assertEquals(2, named(map.getOverlay(), "ExplainJ colour bar").size(), "the map image has a colour bar");
		assertTrue(((ij.gui.TextRoi) named(map.getOverlay(), "ExplainJ colour bar range").get(0)).getText().contains(
			String.format(java.util.Locale.ROOT, "%.3g", map.getDisplayRangeMax())), "the bar states the range");
	}

	@Test
	void aStackIsShownInOneRangeSoAWeakSliceLooksWeak() throws Exception {
		ImagePlus a = TestData.open(TestData.PARASITIZED);
		ImageStack stack = new ImageStack(a.getWidth(), a.getHeight());
		stack.addSlice("strong", a.getProcessor().duplicate());
		ColorProcessor dim = (ColorProcessor) a.getProcessor().duplicate();
		dim.multiply(0.2);
		stack.addSlice("weak", dim);
		ImagePlus cells = new ImagePlus("cells", stack);
		Module module = run("gradient-x-input", "image", cells, "model", TestData.MALARIA.toFile(), "target",
			"infected");
		ImagePlus map = (ImagePlus) module.getOutput("map");
		double strong = peak((float[]) map.getStack().getPixels(1)), weak = peak((float[]) map.getStack().getPixels(2));
		assertTrue(weak < strong / 2, "the dimmed slice's map is weaker: " + weak + " vs " + strong);
		List<Roi> heat = named(cells.getOverlay(), "ExplainJ gradient");
		assertEquals(2, heat.size());
		double strongAlpha = mean(alpha(heat.get(0))), weakAlpha = mean(alpha(heat.get(1)));
		assertTrue(weakAlpha < strongAlpha * 0.6, "weak slice dimmer: " + weakAlpha + " vs " + strongAlpha);
		assertEquals(2, named(cells.getOverlay(), "ExplainJ colour bar").size(), "one colour bar for the stack");
		// per slice: each slice in its own range, so the weak one reaches full opacity too
		run("gradient-x-input", "image", cells, "model", TestData.MALARIA.toFile(), "target", "infected",
			"per_slice", true, "map", false);
		heat = named(cells.getOverlay(), "ExplainJ gradient");
		assertEquals(255, max(alpha(heat.get(1))), "per slice, the weak slice is opaque somewhere");
		assertEquals(4, named(cells.getOverlay(), "ExplainJ colour bar").size(), "a colour bar per slice");
	}

	private static double peak(float[] map) {
		double p = 0;
		for (float v : map) p = Math.max(p, Math.abs(v));
		return p;
	}

	private static int max(int[] values) {
		int m = 0;
		for (int v : values) m = Math.max(m, v);
		return m;
	}

	@Test
	void theTableRecordsParametersAndSliceLabelsAndLeavesOtherMethodsColumnsEmpty() {
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		cell.getStack().setSliceLabel("cell 16", 1);
		// a table kept open across runs of different methods, as in ImageJ
		ResultsTable table = new ResultsTable();
		for (String method : List.of("saliency", "integrated-gradients")) {
			ExplainJob.run(cell, new ExplainOptions(TestData.MALARIA, Methods.byName(method), Target.TOP, ScoreKind.LOGIT,
				IntensityScaling.UNIT, null, 32, method.equals("saliency") ? Map.of() : Map.of("steps", "8")))
				.addRows(table, cell.getTitle());
		}
		int ig = table.size() - 1, saliency = ig - 1;
		assertEquals("saliency", table.getStringValue("Method", saliency));
		assertEquals("cell 16", table.getStringValue("Slice label", ig));
		assertEquals("8", table.getStringValue("steps", ig), "IG's parameters are columns");
		assertEquals("zeros", table.getStringValue("baseline", ig));
		assertEquals("", table.getStringValue("completeness-gap", saliency), "saliency has no completeness gap");
		assertEquals("", table.getStringValue("steps", saliency), "nor steps");
		assertTrue(Math.abs(table.getValue("completeness-gap", ig)) > 0);
	}

	@Test
	void theStatusLineNamesSliceAndBatchFromTheFirstBatchOn() {
		ImagePlus a = TestData.open(TestData.PARASITIZED);
		ImageStack stack = new ImageStack(a.getWidth(), a.getHeight());
		stack.addSlice(a.getProcessor());
		stack.addSlice(TestData.open(TestData.UNINFECTED).getProcessor().resize(a.getWidth(), a.getHeight()));
		List<int[]> calls = new ArrayList<>();
		// 8 steps in 4 runs of 2 per image: batch size 2 evaluations
		ExplainJob.run(new ImagePlus("two", stack), new ExplainOptions(TestData.MALARIA, Methods.byName(
			"integrated-gradients"), Target.TOP, ScoreKind.LOGIT, IntensityScaling.UNIT, null, 2, Map.of("steps", "8")),
			(done, total) -> calls.add(new int[] { done, total }));
		int total = calls.get(0)[1];
		assertEquals(0, calls.get(0)[0], "the first report comes before the first batch");
		assertEquals("ExplainJ: slice 1/2, batch 1/" + total / 2, ExplainCommand.progressText(0, total, 2, "slice"));
		assertEquals(total, calls.get(calls.size() - 1)[0], "the last report is the end");
		assertTrue(calls.size() >= 3, "reports between batches: " + calls.size());
		int[] middle = calls.get(calls.size() / 2);
		String text = ExplainCommand.progressText(middle[0], middle[1], 2, "slice");
		int slice = middle[0] / (total / 2) + 1;
		assertTrue(text.startsWith("ExplainJ: slice " + Math.min(2, slice) + "/2, batch "), text);
		assertEquals("ExplainJ: slice 2/2, batch 1/4", ExplainCommand.progressText(4, 8, 2, "slice"));
		assertEquals("ExplainJ: slice 2/2, batch 4/4", ExplainCommand.progressText(8, 8, 2, "slice"), "done stays in range");
	}

	/**
	 * ROIs are explained one after another, each over all slices: the status line counts ROIs, whatever
	 * the image's slice count (3 ROIs on a 2-slice stack).
	 */
	@Test
	void theStatusLineCountsRoisForARoiRun() {
		ImagePlus a = TestData.open(TestData.PARASITIZED);
		ImageStack stack = new ImageStack(a.getWidth(), a.getHeight());
		stack.addSlice(a.getProcessor());
		stack.addSlice(a.getProcessor().duplicate());
		ImagePlus image = new ImagePlus("two", stack);
		ExplainOptions options = new ExplainOptions(TestData.MALARIA, Methods.byName("integrated-gradients"), Target.TOP,
			ScoreKind.LOGIT, IntensityScaling.UNIT, null, 2, Map.of("steps", "8")).withGeometry(new org.explainj.image.Geometry(
				org.explainj.image.Geometry.Kind.ROI, 0, 0, List.of(new Roi(0, 0, 40, 40), new Roi(40, 40, 40, 40), new Roi(60,
					80, 50, 50))));
		assertEquals(3, ExplainJob.regions(image, options.geometry()).size());
		List<int[]> calls = new ArrayList<>();
		ExplainJob.run(image, options, (done, total) -> calls.add(new int[] { done, total }));
		int total = calls.get(calls.size() - 1)[1];
		List<int[]> one = new ArrayList<>();
		ExplainJob.run(image, options.withGeometry(options.geometry().withRois(List.of(new Roi(0, 0, 40, 40)))), (done,
			t) -> one.add(new int[] { done, t }));
		int perRoi = one.get(0)[1];
		assertEquals(3 * perRoi, total, "each ROI runs all slices' batches");
		assertEquals("ExplainJ: ROI 1/3, batch 1/" + perRoi, ExplainCommand.progressText(0, total, 3, "ROI"));
		assertEquals("ExplainJ: ROI 2/3, batch 1/" + perRoi, ExplainCommand.progressText(perRoi, total, 3, "ROI"));
		assertEquals("ExplainJ: ROI 3/3, batch " + perRoi + "/" + perRoi, ExplainCommand.progressText(total, total, 3,
			"ROI"));
		assertTrue(calls.stream().anyMatch(c -> c[0] == 2 * perRoi), "a report where the third ROI starts");
		image.setRoi(new Roi(5, 5, 30, 30));
		assertEquals(1, ExplainJob.regions(image, org.explainj.image.Geometry.AUTO).size(),
			"auto explains the selection as one ROI");
		image.deleteRoi();
		assertEquals(0, ExplainJob.regions(image, org.explainj.image.Geometry.AUTO).size());
	}
}

package org.explainj.job;

import static org.explainj.job.InputConversionTest.relativeDifference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.explainj.ExplainException;
import org.explainj.HeadlessCommands;
import org.explainj.TestData;
import org.explainj.ij.ExplainCommand;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;

/**
 * A composite hyperstack (channels x z x t) built from the bundled cells: every z and t is explained
 * from the chosen channels, as each (z, t) frame would be alone, and the overlays and rows say where.
 */
class HyperstackTest {

	@RegisterExtension
	static final HeadlessCommands COMMANDS = new HeadlessCommands();

	static final int SIZE = 50, Z = 2, T = 2;

	/** The four cells resized to 50 x 50, as RGB images: frame f = z + 2 t. */
	static ColorProcessor[] cells;

	@BeforeAll
	static void cells() {
		List<java.nio.file.Path> files = List.of(TestData.PARASITIZED, TestData.MALARIA_IMAGES.resolve(
			"Parasitized__C39P4thinF_original_IMG_20150622_111206_cell_76.png"), TestData.UNINFECTED, TestData.MALARIA_IMAGES
				.resolve("Uninfected__C2NThinF_IMG_20150604_114730_cell_139.png"));
		cells = files.stream().map(f -> (ColorProcessor) TestData.open(f).getProcessor().resize(SIZE, SIZE)).toArray(
			ColorProcessor[]::new);
	}

	/**
	 * The cells as a C x 2 x 2 composite: channels 1-3 red, green, blue, and where {@code extra}, a fourth
	 * channel of noise the model must not see.
	 */
	static ImagePlus hyperstack(boolean extra) {
		ImageStack stack = new ImageStack(SIZE, SIZE);
		java.util.Random random = new java.util.Random(9);
		for (int t = 0; t < T; t++) {
			for (int z = 0; z < Z; z++) {
				ColorProcessor cell = cells[z + Z * t];
				for (int c = 1; c <= 3; c++) stack.addSlice("z" + (z + 1) + " t" + (t + 1), cell.getChannel(c, null));
				if (extra) {
					byte[] noise = new byte[SIZE * SIZE];
					random.nextBytes(noise);
					stack.addSlice("noise", new ByteProcessor(SIZE, SIZE, noise));
				}
			}
		}
		ImagePlus imp = new ImagePlus("cells", stack);
		imp.setDimensions(extra ? 4 : 3, Z, T);
		imp.setOpenAsHyperStack(true);
		return new ij.CompositeImage(imp, ij.CompositeImage.COMPOSITE);
	}

	static ExplainResult explain(ImagePlus image, String channels) {
		return ExplainJob.run(image, new ExplainOptions(TestData.MALARIA, Methods.byName("gradient"), Target.TOP,
			ScoreKind.LOGIT, null, Reduction.NONE, 8, Map.of()).withChannels(channels));
	}

	@Test
	void everyZAndTIsExplainedAsItsFrameAlone() {
		ImagePlus image = hyperstack(false);
		ExplainResult r = explain(image, null);
		assertEquals(Z * T, r.frames());
		assertEquals(List.of(), r.notes());
		for (int f = 0; f < Z * T; f++) {
			ExplainResult alone = explain(new ImagePlus("cell " + f, cells[f]), null);
			assertEquals(alone.explanation().targetScores()[0], r.explanation().targetScores()[f], 1e-5 * Math.abs(alone
				.explanation().targetScores()[0]), "frame " + f);
			assertTrue(relativeDifference(alone, 0, r, f) < 1e-5, "frame " + f);
		}
		// the cells differ, so a frame put in the wrong place would show
		assertTrue(relativeDifference(explain(new ImagePlus("cell 0", cells[0]), null), 0, r, 1) > 0.1);
	}

	@Test
	void overlaysSitOnTheirZAndTOverAllChannelsAndRowsSayWhere() {
		ImagePlus image = hyperstack(false);
		ExplainResult r = explain(image, null);
		Overlay overlay = r.overlay(0.5, false);
		int heatmaps = 0;
		for (Roi roi : overlay) {
			if (roi.getName().startsWith("ExplainJ colour bar")) continue;
			int f = heatmaps++;
			assertEquals(r.roiName(f), roi.getName());
			assertEquals(0, roi.getCPosition(), "every channel");
			assertEquals(f % Z + 1, roi.getZPosition(), "z of frame " + f);
			assertEquals(f / Z + 1, roi.getTPosition(), "t of frame " + f);
		}
		assertEquals(Z * T, heatmaps);
		ResultsTable table = new ResultsTable();
		r.addRows(table, image.getTitle());
		assertEquals(Z * T, table.size());
		for (int f = 0; f < Z * T; f++) {
			assertEquals("1-3", table.getStringValue("Channels", f));
			assertEquals(f % Z + 1, (int) table.getValue("Z", f));
			assertEquals(f / Z + 1, (int) table.getValue("T", f));
			assertEquals("z" + (f % Z + 1) + " t" + (f / Z + 1), table.getStringValue("Slice label", f));
		}
		// the map image has the source's z and t
		ImagePlus maps = r.mapImage();
		assertEquals(Z, maps.getNSlices());
		assertEquals(T, maps.getNFrames());
	}

	@Test
	void theChosenChannelsAreExplainedAndOthersNeedAChoice() {
		ImagePlus four = hyperstack(true);
		ExplainException e = assertThrows(ExplainException.class, () -> explain(four, null));
		assertTrue(e.getMessage().startsWith("The image has 4 channels but the model expects 3 and there is no natural " +
			"mapping between them. Choose 3 of them (e.g. channels=1-3 in a macro, --channels 1-3 on the command line)"), e
				.getMessage());
		ExplainResult three = explain(hyperstack(false), null);
		ExplainResult chosen = explain(four, "1-3");
		for (int f = 0; f < Z * T; f++) assertTrue(relativeDifference(three, f, chosen, f) < 1e-6, "frame " + f);
		assertEquals(List.of(), chosen.notes());
		// one channel goes to every model channel, with a note: as that channel's plane explained alone
		ExplainResult green = explain(four, "2");
		assertTrue(green.notes().get(0).startsWith(InputConversionTest.GREY_INTO_COLOUR), green.notes().toString());
		for (int f = 0; f < Z * T; f++) {
			ExplainResult alone = explain(new ImagePlus("green " + f, cells[f].getChannel(2, null)), null);
			assertTrue(relativeDifference(alone, 0, green, f) < 1e-5, "frame " + f);
		}
		// an RGB image's colours are channels too
		ExplainResult rgbGreen = explain(new ImagePlus("cell", cells[0]), "2");
		assertTrue(relativeDifference(rgbGreen, 0, green, 0) < 1e-5);
		String[][] bad = { { "5", "The channels '5' are not channels of the image, which has 4 channels." }, { "2-x",
			"Cannot read the channels '2-x'." }, { "3-1", "The channels '3-1' are not channels" } };
		for (String[] b : bad) {
			ExplainException wrong = assertThrows(ExplainException.class, () -> explain(four, b[0]));
			assertTrue(wrong.getMessage().startsWith(b[1]), wrong.getMessage());
		}
	}

	@Test
	void theCommandLineTakesTheChannelsAndWritesEveryZAndT(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
		ImagePlus four = hyperstack(true);
		java.nio.file.Path in = tmp.resolve("cells.tif"), out = tmp.resolve("maps.tif");
		ij.IJ.saveAsTiff(four, in.toString());
		java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream(), stdout = new java.io.ByteArrayOutputStream();
		int code = org.explainj.cli.Main.run(new String[] { "explain", "--model", TestData.MALARIA.toString(), "--image", in
			.toString(), "--method", "gradient", "--reduce", "none", "--channels", "1-3", "--out", out.toString() },
			new java.io.PrintStream(stdout), new java.io.PrintStream(err));
		assertEquals(0, code, err.toString());
		assertEquals("", err.toString());
		ImagePlus maps = ij.IJ.openImage(out.toString());
		assertEquals(List.of(3, Z, T), List.of(maps.getNChannels(), maps.getNSlices(), maps.getNFrames()));
		ExplainResult direct = explain(four, "1-3");
		for (int f = 0; f < Z * T; f++) {
			for (int c = 0; c < 3; c++) {
				float[] written = (float[]) maps.getStack().getProcessor(maps.getStackIndex(c + 1, f % Z + 1, f / Z + 1))
					.getPixels();
				assertTrue(relativeDifference(direct.map(f, c), written) < 1e-5, "frame " + f + ", channel " + c);
			}
		}
		assertEquals(Z * T, stdout.toString().lines().filter(l -> l.startsWith("cells.tif #")).count(), stdout.toString());
	}

	@Test
	void theCommandTakesTheChannels() throws Exception {
		ImagePlus four = hyperstack(true);
		ExplainCommand command = (ExplainCommand) COMMANDS.run(ExplainCommand.class, true, "method", "gradient", "image",
			four, "model", TestData.MALARIA.toFile(), "channels", "1-3", "reduce", "none", "map", false).get()
				.getDelegateObject();
		ResultsTable table = command.results;
		int first = table.size() - Z * T;
		ExplainResult direct = explain(four, "1-3");
		for (int f = 0; f < Z * T; f++) {
			assertEquals("1-3", table.getStringValue("Channels", first + f));
			assertEquals(direct.explanation().targetScores()[f], table.getValue("Score (logit)", first + f), 1e-4);
		}
		assertEquals(Z * T, four.getOverlay().size() - 2, "one heatmap per (z, t) and the colour bar");
	}
}

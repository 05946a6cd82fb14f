package org.explainj.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.explainj.image.IntensityScaling;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ClassNames;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ShortProcessor;

/**
 * Conversions that run but change what the model sees are said (notes: log, results table, stderr):
 * grey copied into a colour model, colour averaged into a grey one, a narrow range under unit scaling.
 * The model's explainj.json gives the scaling and the channel order.
 */
class InputConversionTest {

	static final String GREY_INTO_COLOUR = "The image has one channel but the model expects 3: the grey values were " +
		"copied into every model channel";
	static final String COLOUR_INTO_GREY = "The image has 3 channels but the model expects one: the channels were " +
		"averaged into one grey image";

	@TempDir
	Path tmp;

	static ExplainResult explain(ImagePlus image, Path model, IntensityScaling scaling) {
		return ExplainJob.run(image, new ExplainOptions(model, Methods.byName("gradient"), Target.TOP, ScoreKind.LOGIT,
			scaling, Reduction.NONE, 8, Map.of()));
	}

	/** The largest difference between two maps over the largest magnitude of the first. */
	static double relativeDifference(float[] expected, float[] actual) {
		assertEquals(expected.length, actual.length);
		double diff = 0, scale = 0;
		for (int i = 0; i < expected.length; i++) {
			diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
			scale = Math.max(scale, Math.abs(expected[i]));
		}
		assertTrue(scale > 0, "an empty map compares nothing");
		return diff / scale;
	}

	static double relativeDifference(ExplainResult expected, int expectedFrame, ExplainResult actual, int actualFrame) {
		double worst = 0;
		for (int c = 0; c < expected.channels(); c++) worst = Math.max(worst, relativeDifference(expected.map(expectedFrame,
			c), actual.map(actualFrame, c)));
		return worst;
	}

	private static String notesColumn(ExplainResult r) {
		ResultsTable table = new ResultsTable();
		r.addRows(table, "image");
		return table.columnExists("Notes") ? table.getStringValue("Notes", 0) : "";
	}

	/** stderr of bin/explainj explain on a saved copy of the image, which must succeed. */
	private String cliNotes(ImagePlus image, Path model, String... more) {
		Path file = tmp.resolve(image.getTitle() + ".tif"), out = tmp.resolve(image.getTitle() + "-map.tif");
		IJ.saveAsTiff(image, file.toString());
		List<String> args = new java.util.ArrayList<>(List.of("explain", "--model", model.toString(), "--image", file
			.toString(), "--method", "gradient", "--out", out.toString()));
		args.addAll(List.of(more));
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int code = org.explainj.cli.Main.run(args.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream()),
			new PrintStream(err, true, StandardCharsets.UTF_8));
		assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
		return err.toString(StandardCharsets.UTF_8);
	}

	@Test
	void greyIntoTheColourModelIsSaidAndColourIsNot() {
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		ImagePlus grey = new ImagePlus("grey", cell.getProcessor().convertToByte(true));
		ExplainResult r = explain(grey, TestData.MALARIA, null);
		assertEquals(1, r.notes().size(), r.notes().toString());
		assertTrue(r.notes().get(0).startsWith(GREY_INTO_COLOUR), r.notes().toString());
		assertTrue(notesColumn(r).startsWith(GREY_INTO_COLOUR), notesColumn(r));
		assertTrue(cliNotes(grey, TestData.MALARIA).startsWith("explainj: note: " + GREY_INTO_COLOUR));
		ExplainResult colour = explain(cell, TestData.MALARIA, null);
		assertEquals(List.of(), colour.notes());
		assertEquals("", notesColumn(colour));
		assertEquals("", cliNotes(cell, TestData.MALARIA));
	}

	@Test
	void colourIntoTheGreyModelIsSaidAndGreyIsNot() {
		ImagePlus digit = TestData.open(TestData.DIGIT);
		ImagePlus rgb = new ImagePlus("rgb-digit", digit.getProcessor().convertToRGB());
		ExplainResult r = explain(rgb, TestData.MNIST, null);
		assertEquals(1, r.notes().size(), r.notes().toString());
		assertTrue(r.notes().get(0).startsWith(COLOUR_INTO_GREY), r.notes().toString());
		assertTrue(cliNotes(rgb, TestData.MNIST).startsWith("explainj: note: " + COLOUR_INTO_GREY));
		// averaging three equal channels gives the grey digit back: the same map
		ExplainResult grey = explain(digit, TestData.MNIST, null);
		assertEquals(List.of(), grey.notes());
		assertTrue(relativeDifference(grey, 0, r, 0) < 1e-5);
	}

	/** The digit's values 0..255 as 16-bit values 0..top. */
	private static ImagePlus sixteenBit(int top) {
		ByteProcessor digit = (ByteProcessor) TestData.open(TestData.DIGIT).getProcessor();
		ShortProcessor sp = new ShortProcessor(digit.getWidth(), digit.getHeight());
		for (int i = 0; i < digit.getPixelCount(); i++) sp.set(i, Math.round(digit.get(i) * top / 255f));
		return new ImagePlus("sixteen-" + top, sp);
	}

	@Test
	void aNarrowSixteenBitRangeUnderUnitScalingIsSaid() {
		ImagePlus dark = sixteenBit(188);
		ExplainResult r = explain(dark, TestData.MNIST, null);
		// 188 / 65535 = 0.287 %, inputs up to 0.00287
		String expected = "The image's values (0 to 188) use 0.3% of its type's range (0 to 65535): unit scaling gives " +
			"the model inputs from 0.00 to 0.00287 only; unless the model was trained on such images, choose scale=minmax";
		assertEquals(1, r.notes().size(), r.notes().toString());
		assertTrue(r.notes().get(0).startsWith(expected), r.notes().get(0));
		assertTrue(notesColumn(r).startsWith(expected), notesColumn(r));
		assertTrue(cliNotes(dark, TestData.MNIST).startsWith("explainj: note: " + expected));
		// the scaling it names removes the note
		ExplainResult minmax = explain(dark, TestData.MNIST, IntensityScaling.MINMAX);
		assertEquals(List.of(), minmax.notes());
		assertEquals("", cliNotes(dark, TestData.MNIST, "--scale", "minmax"));
		// the full range of the type under unit: no note; 3276 of 65535 (5.0 %) is just wide enough, 3000 not
		assertEquals(List.of(), explain(sixteenBit(65535), TestData.MNIST, null).notes());
		assertEquals(List.of(), explain(sixteenBit(3277), TestData.MNIST, null).notes());
		assertTrue(explain(sixteenBit(3000), TestData.MNIST, null).notes().get(0).contains("use 4.6% of its type's range"));
	}

	/** A copy of the malaria model in its own folder, with {@code sidecar} as its explainj.json (null: none). */
	private Path malariaWith(String folder, String sidecar) throws Exception {
		Path dir = Files.createDirectories(tmp.resolve(folder));
		Path model = Files.copy(TestData.MALARIA, dir.resolve("malaria.pb"));
		if (sidecar != null) Files.writeString(dir.resolve(ClassNames.SIDECAR), sidecar);
		return model;
	}

	@Test
	void theSidecarsScalingIsUsedUnlessOneIsChosen() throws Exception {
		Path bare = malariaWith("bare", null);
		Path minmax = malariaWith("minmax", "{\"classes\": [\"infected\", \"uninfected\"], \"scaling\": \"minmax\"}");
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		ExplainResult bySidecar = explain(cell, minmax, null);
		ExplainResult chosenMinmax = explain(cell, bare, IntensityScaling.MINMAX);
		ExplainResult unit = explain(cell, bare, IntensityScaling.UNIT);
		assertTrue(relativeDifference(chosenMinmax, 0, bySidecar, 0) < 1e-6);
		assertTrue(relativeDifference(unit, 0, bySidecar, 0) > 1e-2, "minmax and unit differ on this cell");
		assertEquals(unit.explanation().targetScores()[0], explain(cell, bare, null).explanation().targetScores()[0],
			"no sidecar: unit");
		// a scaling the user chose wins over the sidecar's
		assertTrue(relativeDifference(unit, 0, explain(cell, minmax, IntensityScaling.UNIT), 0) < 1e-6);
		assertTrue(bySidecar.mapImage().getInfoProperty().contains("\nscale=minmax\n"));
		// the command line without --scale runs as well, with nothing to say
		assertEquals("", cliNotes(cell, minmax));
	}

	private static ImagePlus swapRedAndBlue(ImagePlus rgb) {
		ColorProcessor cp = (ColorProcessor) rgb.getProcessor().duplicate();
		byte[] red = (byte[]) cp.getChannel(1, null).getPixels();
		byte[] blue = (byte[]) cp.getChannel(3, null).getPixels();
		cp.setChannel(1, new ByteProcessor(cp.getWidth(), cp.getHeight(), blue));
		cp.setChannel(3, new ByteProcessor(cp.getWidth(), cp.getHeight(), red));
		return new ImagePlus("swapped", cp);
	}

	@Test
	void channelOrderBgrIsTheChannelSwappedImage() throws Exception {
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		ExplainResult byHand = explain(swapRedAndBlue(cell), malariaWith("bare", null), null);
		for (String order : new String[] { "\"bgr\"", "[3, 2, 1]" }) {
			ExplainResult bgr = explain(cell, malariaWith("order" + order.length(), "{\"channels\": " + order + "}"), null);
			assertEquals(byHand.explanation().targetScores()[0], bgr.explanation().targetScores()[0], 1e-5 * Math.abs(byHand
				.explanation().targetScores()[0]), order);
			assertEquals(3, bgr.channels());
			assertTrue(relativeDifference(byHand, 0, bgr, 0) < 1e-5, order);
		}
		// rgb is the image's own order, and differs from bgr on this cell
		ExplainResult rgb = explain(cell, malariaWith("rgb", "{\"channels\": \"rgb\"}"), null);
		assertTrue(relativeDifference(explain(cell, TestData.MALARIA, null), 0, rgb, 0) < 1e-6);
		assertTrue(relativeDifference(byHand, 0, rgb, 0) > 1e-2);
	}

	@Test
	void aBadSidecarValueIsOneSentenceNamingFileAndKey() throws Exception {
		String[][] cases = { { "{\"scaling\": \"bright\"}", "\"scaling\" in ", "explainj.json is 'bright', not a scaling " +
			"ExplainJ knows. Write \"scaling\": one of none, unit, minmax or percentile." }, { "{\"channels\": \"brg\"}",
				"\"channels\" in ", "explainj.json is 'brg', not a channel order." }, { "{\"channels\": [0, 1, 2]}",
					"\"channels\" in ", "explainj.json is [0.0, 1.0, 2.0], not a channel order." }, { "{\"channels\": [2, 1]}",
						"\"channels\" in ", "explainj.json orders 2 channels but the model's input has 3." }, { "[\"infected\"]", "",
							"explainj.json is not a JSON object." } };
		int k = 0;
		for (String[] c : cases) {
			Path model = malariaWith("bad" + k++, c[0]);
			ExplainException e = assertThrows(ExplainException.class, () -> explain(TestData.open(TestData.PARASITIZED),
				model, null), c[0]);
			assertTrue(e.getMessage().startsWith(c[1] + model.resolveSibling(ClassNames.SIDECAR).toAbsolutePath()) || e
				.getMessage().startsWith(c[1] + model.resolveSibling(ClassNames.SIDECAR)), e.getMessage());
			assertTrue(e.getMessage().contains(c[2]), e.getMessage());
			assertEquals(1, e.getMessage().lines().count());
		}
	}

	@Test
	void anUnknownClassNameSaysWhereTheNamesCameFrom() throws Exception {
		Path named = malariaWith("named", "{\"classes\": [\"infected\", \"uninfected\"]}");
		ExplainException e = assertThrows(ExplainException.class, () -> ExplainJob.run(TestData.open(TestData.PARASITIZED),
			new ExplainOptions(named, Methods.byName("gradient"), new Target("parasite"), ScoreKind.LOGIT, null, null, 8,
				Map.of())));
		assertTrue(e.getMessage().startsWith("Unknown target 'parasite'. Use top, a class index 0..1 or a class name " +
			"[infected, uninfected]"), e.getMessage());
		assertTrue(e.getMessage().contains("class names come from labels.txt"), e.getMessage());
		assertFalse(e.getMessage().contains("\n"));
	}
}

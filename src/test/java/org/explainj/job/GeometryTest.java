package org.explainj.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.explainj.image.Geometry;
import org.explainj.image.Tiling;
import org.explainj.methods.Explanation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.math.Mean;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;

/** Geometry fit, tile and roi: the window grid, the blend weights, the class map, ROI maps, the notes. */
class GeometryTest {

	@TempDir
	Path dir;

	@Test
	void windowsStartEveryStrideAndTheLastIsFlushWithTheBorder() {
		Tiling.Grid g = Tiling.Grid.of(100, 70, 30, 20, 15, 10);
		assertArrayEquals(new int[] { 0, 15, 30, 45, 60, 70 }, g.xs());
		assertArrayEquals(new int[] { 0, 10, 20, 30, 40, 50 }, g.ys());
		// a size the stride divides: no extra window
		assertArrayEquals(new int[] { 0, 44, 88 }, Tiling.Grid.of(132, 44, 44, 44, 44, 44).xs());
		assertArrayEquals(new int[] { 0 }, Tiling.Grid.of(132, 44, 44, 44, 44, 44).ys());
		assertThrows(ExplainException.class, () -> Tiling.Grid.of(40, 100, 44, 44, 22, 22));
	}

	/** Every window's map is 1 (at another resolution than the window) and so is its value: the blend is the weight sum. */
	@Test
	void blendWeightsSumToOneWhereverAWindowCovers() {
		for (int[] c : new int[][] { { 100, 70, 30, 20, 15, 10 }, { 97, 61, 44, 44, 22, 22 }, { 130, 90, 40, 40, 40, 40 },
			{ 90, 90, 50, 50, 7, 13 } })
		{
			Tiling.Grid g = Tiling.Grid.of(c[0], c[1], c[2], c[3], c[4], c[5]);
			float[] weights = new float[c[0] * c[1]], values = new float[c[0] * c[1]];
			for (int row = 0; row < g.ys().length; row++) {
				int m = g.xs().length;
				float[] ones = new float[m * 11 * 11];
				Arrays.fill(ones, 1);
				float[] v = new float[m];
				Arrays.fill(v, 1);
				Tiling.shared().blend(explanation(ones, m, 11, 11), v, g, row, 0, weights, 0, values, 0);
			}
			for (int i = 0; i < weights.length; i++) {
				assertEquals(1, weights[i], 1e-5, "weight sum at " + (i % c[0]) + "," + (i / c[0]) + " of " + Arrays.toString(c));
				assertEquals(1, values[i], 1e-5);
			}
		}
	}

	/** Each window's own constant value, blended: where one window alone covers, its value comes back. */
	@Test
	void blendingKeepsAWindowsValueWhereItAloneCovers() {
		Tiling.Grid g = Tiling.Grid.of(60, 30, 30, 30, 15, 30);
		float[] mosaic = new float[60 * 30], values = new float[60 * 30];
		float[] maps = new float[3 * 30 * 30];
		for (int j = 0; j < 3; j++) Arrays.fill(maps, j * 900, (j + 1) * 900, j + 1);
		Tiling.shared().blend(explanation(maps, 3, 30, 30), new float[] { 0.1f, 0.2f, 0.3f }, g, 0, 0, mosaic, 0, values, 0);
		assertEquals(1, mosaic[5 * 60 + 3], 1e-6);
		assertEquals(3, mosaic[5 * 60 + 58], 1e-6);
		assertEquals(0.1, values[5 * 60 + 3], 1e-6);
		assertEquals(0.3, values[5 * 60 + 58], 1e-6);
		// between: a convex mix of the neighbours
		float mid = mosaic[5 * 60 + 20];
		assertTrue(mid > 1 && mid < 2, "mixed " + mid);
	}

	private static Explanation explanation(float[] maps, int n, int h, int w) {
		float[][] p = new float[n][] ;
		for (int i = 0; i < n; i++) p[i] = new float[] { 1, 0 };
		return new Explanation("test", maps, n, h, w, 1, new int[n], new int[n], new float[n], p, Map.of());
	}

	/**
	 * A frozen classifier of 8 x 8 grey images whose class 0 logit is 10 * mean - 5 and class 1's the
	 * negative: p(0) = sigmoid(20 * mean - 10), computed here by hand for each brightness.
	 */
	static Path brightnessModel(Path file) throws IOException {
		try (Graph g = new Graph()) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 1)));
			Operand<TFloat32> mean = tf.reshape(tf.math.mean(x, tf.constant(new int[] { 1, 2, 3 }), Mean.keepDims(false)), tf.constant(new int[] { -1, 1 }));
			Operand<TFloat32> logits = tf.math.add(tf.linalg.matMul(mean, tf.constant(new float[][] { { 10, -10 } })), tf
				.constant(new float[] { -5, 5 }));
			tf.nn.softmax(logits);
			Files.write(file, g.toGraphDef().toByteArray());
		}
		return file;
	}

	static double sigmoid(double z) {
		return 1 / (1 + Math.exp(-z));
	}

	/** Columns of 8-pixel blocks of rising brightness: the class map of each block is known. */
	@Test
	void classMapIsTheProbabilityOfEachWindowBlended() throws IOException {
		Path model = brightnessModel(dir.resolve("bright.pb"));
		int blocks = 6;
		ByteProcessor bp = new ByteProcessor(8 * blocks, 16);
		for (int y = 0; y < 16; y++) for (int x = 0; x < 8 * blocks; x++) bp.set(x, y, x / 8 * 51);
		ImagePlus image = new ImagePlus("ramp", bp);
		for (String target : new String[] { "0", "top" }) {
			ExplainResult r = ExplainJob.run(image, options(model, "gradient", target).withGeometry(new Geometry(
				Geometry.Kind.TILE, 8, 8, List.of())));
			float[] classMap = (float[]) r.classMapImage().getProcessor().getPixels();
			for (int b = 0; b < blocks; b++) {
				double p0 = sigmoid(20 * (b * 51 / 255.0) - 10);
				double expected = target.equals("0") ? p0 : Math.max(p0, 1 - p0);
				assertEquals(expected, classMap[12 * 8 * blocks + b * 8 + 3], 1e-5, "block " + b + " target " + target);
			}
			assertClassMapHasColourBarZeroToOne(r.classMapImage());
			assertEquals(1, r.rows().size());
			assertEquals(12, r.rows().get(0).windows());
			if (target.equals("top")) {
				short[] labels = (short[]) r.labelImage().getProcessor().getPixels();
				for (int b = 0; b < blocks; b++) assertEquals(b * 51 / 255.0 > 0.5 ? 0 : 1, labels[3 * 8 * blocks + b * 8 + 4],
					"block " + b);
				assertEquals(6, r.rows().get(0).windowsByClass()[0]);
			}
			else assertNull(r.labelImage());
		}
	}

	/** A probability reads the same on every class map: range 0..1 shown and written in a colour bar. */
	static void assertClassMapHasColourBarZeroToOne(ImagePlus classMap) {
		assertEquals(0, classMap.getDisplayRangeMin());
		assertEquals(1, classMap.getDisplayRangeMax());
		ij.gui.Overlay overlay = classMap.getOverlay();
		assertNotNull(overlay, "the class map has an overlay");
		assertTrue(overlay.get("ExplainJ colour bar") instanceof ij.gui.ImageRoi, "a colour strip");
		ij.gui.Roi range = overlay.get("ExplainJ colour bar range");
		assertTrue(range instanceof ij.gui.TextRoi, "the range written");
		assertEquals("0.00 .. 1.00", ((ij.gui.TextRoi) range).getText().trim());
	}

	/** Halfway overlapping windows: inside the first and last block the class map is still that block's own. */
	@Test
	void overlappingWindowsBlendTheirProbabilities() throws IOException {
		Path model = brightnessModel(dir.resolve("bright.pb"));
		ByteProcessor bp = new ByteProcessor(64, 8);
		for (int y = 0; y < 8; y++) for (int x = 0; x < 64; x++) bp.set(x, y, x < 32 ? 255 : 0);
		ExplainResult r = ExplainJob.run(new ImagePlus("halves", bp), options(model, "gradient", "0").withGeometry(
			new Geometry(Geometry.Kind.TILE, 8, 0, List.of())));
		assertEquals(15, r.rows().get(0).windows(), "stride 0 = half the window: 15 windows over 64 columns");
		float[] classMap = (float[]) r.classMapImage().getProcessor().getPixels();
		assertEquals(sigmoid(10), classMap[4 * 64 + 10], 1e-5);
		assertEquals(sigmoid(-10), classMap[4 * 64 + 50], 1e-5);
		// at the edge a window straddling both halves (mean 0.5, p = 0.5) is blended in
		float edge = classMap[4 * 64 + 31];
		assertTrue(edge < sigmoid(10) - 0.05 && edge > 0.5, "edge " + edge);
	}

	static ExplainOptions options(Path model, String method, String target) {
		return new ExplainOptions(model, org.explainj.methods.Methods.byName(method), new org.explainj.methods.Target(
			target), org.explainj.model.ScoreKind.LOGIT, org.explainj.image.IntensityScaling.UNIT, null, 8, Map.of());
	}

	/** Two malaria cells on a black 300 x 260 field, at known places. */
	static ImagePlus twoCells(Rectangle[] boxes) {
		ColorProcessor field = new ColorProcessor(300, 260);
		ImagePlus[] cells = { TestData.open(TestData.PARASITIZED), TestData.open(TestData.UNINFECTED) };
		int[][] at = { { 10, 20 }, { 160, 120 } };
		for (int i = 0; i < 2; i++) {
			field.insert(cells[i].getProcessor(), at[i][0], at[i][1]);
			boxes[i] = new Rectangle(at[i][0], at[i][1], cells[i].getWidth(), cells[i].getHeight());
		}
		return new ImagePlus("field", field);
	}

	/** The map of a ROI equals the map of the same crop explained by hand, and is 0 outside the ROIs. */
	@Test
	void eachRoisMapIsItsCropExplainedByHand() {
		Rectangle[] boxes = new Rectangle[2];
		ImagePlus field = twoCells(boxes);
		List<Roi> rois = List.of(new Roi(boxes[0]), new Roi(boxes[1]));
		for (String method : new String[] { "gradient-x-input", "grad-cam" }) {
			ExplainResult r = ExplainJob.run(field, options(TestData.MALARIA, method, "top").withGeometry(new Geometry(
				Geometry.Kind.ROI, 0, 0, rois)));
			assertEquals(2, r.rows().size());
			float[] map = r.map(0, 0);
			for (int i = 0; i < 2; i++) {
				ImagePlus crop = RoiRun.crop(field, boxes[i]);
				ExplainResult byHand = ExplainJob.run(crop, options(TestData.MALARIA, method, "top").withGeometry(new Geometry(
					Geometry.Kind.FIT, 0, 0, List.of())));
				float[] expected = byHand.map(0, 0);
				double scale = 0;
				for (float v : expected) scale = Math.max(scale, Math.abs(v));
				for (int y = 0; y < boxes[i].height; y++) {
					for (int x = 0; x < boxes[i].width; x++) {
						assertEquals(expected[y * boxes[i].width + x], map[(boxes[i].y + y) * 300 + boxes[i].x + x], 1e-5 * scale,
							method + " ROI " + i + " at " + x + "," + y);
					}
				}
				assertEquals(byHand.rows().get(0).score(), r.rows().get(i).score(), 1e-5 * Math.abs(byHand.rows().get(0).score()));
				assertTrue(r.label(i).startsWith("ROI " + (i + 1)), r.label(i));
			}
			assertEquals(0, r.rows().get(0).predicted(), "the parasitized cell: infected");
			assertEquals(1, r.rows().get(1).predicted(), "the uninfected cell");
			assertEquals(0, map[250 * 300 + 5], "outside every ROI the map is 0");
		}
	}

	/** Seeded colour noise over the whole 8-bit range, so that no note about a narrow range is due. */
	private static ColorProcessor noise(int width, int height) {
		java.util.Random random = new java.util.Random(7);
		int[] pixels = new int[width * height];
		for (int i = 0; i < pixels.length; i++) pixels[i] = random.nextInt(1 << 24);
		return new ColorProcessor(width, height, pixels);
	}

	@Test
	void autoWarnsOnALargeImageAndFitDoesNot() {
		ImagePlus large = new ImagePlus("large", noise(200, 60));
		ExplainResult auto = ExplainJob.run(large, options(TestData.MALARIA, "gradient", "top"));
		assertTrue(auto.notes().stream().anyMatch(n -> n.contains("more than 4 times the model's input (44 x 44)") && n
			.contains("geometry tile") && n.contains("geometry roi")), auto.notes().toString());
		ExplainResult fit = ExplainJob.run(large, options(TestData.MALARIA, "gradient", "top").withGeometry(new Geometry(
			Geometry.Kind.FIT, 0, 0, List.of())));
		assertTrue(fit.notes().isEmpty(), fit.notes().toString());
		ExplainResult small = ExplainJob.run(new ImagePlus("small", noise(176, 176)), options(TestData.MALARIA,
			"gradient", "top"));
		assertTrue(small.notes().isEmpty(), "4 times the input is not more than 4 times: " + small.notes());
		ExplainResult cell = ExplainJob.run(TestData.open(TestData.PARASITIZED), options(TestData.MALARIA, "gradient",
			"top"));
		assertTrue(cell.notes().isEmpty(), "a bundled cell (115 x 139) is what the model is made for: " + cell.notes());
	}

	/** A selection under auto is explained as a ROI and said so; under fit it is not used, and said so. */
	@Test
	void aSelectionIsNeverIgnoredSilently() {
		Rectangle[] boxes = new Rectangle[2];
		ImagePlus field = twoCells(boxes);
		field.setRoi(new Roi(boxes[0]));
		ExplainResult auto = ExplainJob.run(field, options(TestData.MALARIA, "gradient", "top"));
		ExplainResult roi = ExplainJob.run(field, options(TestData.MALARIA, "gradient", "top").withGeometry(new Geometry(
			Geometry.Kind.ROI, 0, 0, List.of())));
		assertArrayEquals(roi.map(0, 0), auto.map(0, 0), 0f);
		assertEquals(0, auto.rows().get(0).predicted(), "the selected parasitized cell: infected");
		assertTrue(auto.notes().stream().anyMatch(n -> n.contains("The selection (x 10, y 20, 115 x 139 pixels) was " +
			"explained")), auto.notes().toString());
		ExplainResult fit = ExplainJob.run(field, options(TestData.MALARIA, "gradient", "top").withGeometry(new Geometry(
			Geometry.Kind.FIT, 0, 0, List.of())));
		assertTrue(fit.notes().stream().anyMatch(n -> n.contains("was not used")), fit.notes().toString());
		assertEquals(field.getWidth() * field.getHeight(), fit.map(0, 0).length);
		field.deleteRoi();
		assertThrows(ExplainException.class, () -> ExplainJob.run(field, options(TestData.MALARIA, "gradient", "top")
			.withGeometry(new Geometry(Geometry.Kind.ROI, 0, 0, List.of()))));
	}
}

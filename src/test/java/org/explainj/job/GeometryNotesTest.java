package org.explainj.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.util.List;
import java.util.Map;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.explainj.image.Geometry;
import org.explainj.image.IntensityScaling;
import org.explainj.image.Tiling;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelCache;
import org.junit.jupiter.api.Test;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.process.ByteProcessor;

/**
 * What tiles and ROIs tell the user, and what they refuse: the method's notes over the windows, tiny
 * windows and boxes, clipped ROIs, layer-resolution maps, strides that skip pixels; and the notes of
 * Evaluate's inputs.
 */
class GeometryNotesTest {

	private static final Geometry TILE_44 = new Geometry(Geometry.Kind.TILE, 44, 44, List.of());

	/**
	 * A huge epsilon absorbs most of the score in every window: the fit path says so, and so must the
	 * tiled run, once for all windows, with their count.
	 */
	@Test
	void tilesSayTheMethodsNotesOnceOverAllWindows() {
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		ExplainOptions options = GeometryTest.options(TestData.MALARIA, "lrp-epsilon", "top").withParameters(Map.of(
			"epsilon", "100"));
		ExplainResult fit = ExplainJob.run(cell, options.withGeometry(new Geometry(Geometry.Kind.FIT, 0, 0, List.of())));
		assertTrue(fit.notes().stream().anyMatch(n -> n.contains("absorbed")), "the fit path: " + fit.notes());
		ExplainResult tiled = ExplainJob.run(cell, options.withGeometry(TILE_44));
		int windows = tiled.rows().get(0).windows();
		assertEquals(12, windows, "115 x 139 in windows of 44 every 44, the last flush: 3 x 4");
		List<String> absorbed = tiled.notes().stream().filter(n -> n.contains("absorbed")).toList();
		assertEquals(1, absorbed.size(), tiled.notes().toString());
		assertTrue(absorbed.get(0).startsWith("Tiles "), absorbed.get(0));
		assertTrue(absorbed.get(0).contains(" of 12 images"), absorbed.get(0));
	}

	@Test
	void layerResolutionIsRefusedForTilesAndRois() {
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		ExplainOptions layer = GeometryTest.options(TestData.MALARIA, "grad-cam", "top").withParameters(Map.of(
			"resolution", "layer"));
		for (Geometry g : List.of(TILE_44, new Geometry(Geometry.Kind.ROI, 0, 0, List.of(new Roi(10, 10, 50, 50))))) {
			ExplainException e = assertThrows(ExplainException.class, () -> ExplainJob.run(cell, layer.withGeometry(g)));
			assertTrue(e.getMessage().contains("resolution=layer"), e.getMessage());
		}
	}

	@Test
	void aStrideLargerThanTheWindowIsRefused() {
		assertThrows(ExplainException.class, () -> Tiling.Grid.of(100, 70, 30, 20, 31, 10));
		assertThrows(ExplainException.class, () -> Tiling.Grid.of(100, 70, 30, 20, 10, 21));
		ExplainException e = assertThrows(ExplainException.class, () -> ExplainJob.run(TestData.open(
			TestData.PARASITIZED), GeometryTest.options(TestData.MALARIA, "gradient", "top").withGeometry(new Geometry(
				Geometry.Kind.TILE, 20, 30, List.of()))));
		assertTrue(e.getMessage().contains("larger than the tiling window"), e.getMessage());
		// a stride equal to the window leaves no gap
		assertEquals(3, Tiling.Grid.of(90, 30, 30, 30, 30, 30).xs().length);
	}

	@Test
	void tinyWindowsAndBoxesAreSaidToBeUpsampled() {
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		ExplainResult tiled = ExplainJob.run(cell, GeometryTest.options(TestData.MALARIA, "gradient", "top").withGeometry(
			new Geometry(Geometry.Kind.TILE, 10, 0, List.of())));
		List<String> upsampled = tiled.notes().stream().filter(n -> n.contains("upsampled")).toList();
		assertEquals(1, upsampled.size(), "one note for all windows: " + tiled.notes());
		assertTrue(upsampled.get(0).contains("(10 x 10 pixels) was upsampled 4-fold"), upsampled.get(0));
		ExplainResult rois = ExplainJob.run(cell, GeometryTest.options(TestData.MALARIA, "gradient", "top").withGeometry(
			new Geometry(Geometry.Kind.ROI, 0, 0, List.of(new Roi(5, 5, 8, 9), new Roi(20, 20, 60, 60)))));
		List<String> tiny = rois.notes().stream().filter(n -> n.contains("upsampled")).toList();
		assertEquals(1, tiny.size(), "only the small ROI: " + rois.notes());
		assertTrue(tiny.get(0).startsWith("ROI 1 (8 x 9 pixels) was upsampled 6-fold"), tiny.get(0));
		ExplainResult large = ExplainJob.run(cell, GeometryTest.options(TestData.MALARIA, "gradient", "top")
			.withGeometry(TILE_44));
		assertTrue(large.notes().stream().noneMatch(n -> n.contains("upsampled")), large.notes().toString());
	}

	/** A ROI over the image's corner: the part inside is explained, said so, and named as it is. */
	@Test
	void aRoiPartlyOutsideIsClippedAndSaidSo() {
		ByteProcessor bp = new ByteProcessor(100, 80);
		for (int i = 0; i < 100 * 80; i++) bp.set(i, (i * 37) % 256);
		ImagePlus image = new ImagePlus("grey", bp);
		ExplainResult r = ExplainJob.run(image, GeometryTest.options(TestData.MALARIA, "gradient", "top").withGeometry(
			new Geometry(Geometry.Kind.ROI, 0, 0, List.of(new Roi(70, 50, 60, 50)))));
		assertTrue(r.notes().contains("ROI 1 (x 70, y 50, 60 x 50 pixels) was clipped to the image: 30 x 30 pixels " +
			"explained."), r.notes().toString());
		assertEquals("ROI 1 (x 70, y 50, 30 x 30 pixels)", r.rows().get(0).region());
		assertEquals(new Rectangle(70, 50, 30, 30), RoiRun.box(image, new Roi(70, 50, 60, 50)));
		float[] map = r.map(0, 0);
		double inside = 0, outside = 0;
		for (int y = 0; y < 80; y++) for (int x = 0; x < 100; x++) {
			if (x >= 70 && y >= 50) inside += Math.abs(map[y * 100 + x]);
			else outside += Math.abs(map[y * 100 + x]);
		}
		assertTrue(inside > 0, "the box has a map");
		assertEquals(0, outside, "nothing outside the box");
	}

	/** Evaluate's inputs carry the same notes as explain: the grey image copied to RGB, the large one squeezed. */
	@Test
	void evaluateInputsCarryTheConversionAndLargeImageNotes() {
		ByteProcessor bp = new ByteProcessor(200, 60);
		for (int i = 0; i < 200 * 60; i++) bp.set(i, (i * 37) % 256);
		ImagePlus large = new ImagePlus("large grey", bp);
		try (ModelCache.Lease lease = ModelCache.shared().acquire(TestData.MALARIA, false)) {
			ClassifierModel model = lease.model();
			List<String> explainNotes = ExplainJob.run(large, GeometryTest.options(TestData.MALARIA, "gradient", "top"))
				.notes();
			EvaluationReport.Inputs auto = EvaluationReport.batch(List.of(large), model, IntensityScaling.UNIT, Geometry.AUTO);
			assertEquals(1, auto.batch().n());
			assertEquals(explainNotes.size(), auto.notes().size(), explainNotes + " vs " + auto.notes());
			for (String note : explainNotes) assertTrue(auto.notes().contains("large grey: " + note), note + " in " + auto
				.notes());
			assertTrue(auto.notes().stream().anyMatch(n -> n.contains("more than 4 times")), auto.notes().toString());
			EvaluationReport.Inputs fit = EvaluationReport.batch(List.of(large), model, IntensityScaling.UNIT, new Geometry(
				Geometry.Kind.FIT, 0, 0, List.of()));
			assertEquals(auto.notes().size() - 1, fit.notes().size(), "fit: no large-image warning " + fit.notes());
			assertTrue(fit.notes().stream().noneMatch(n -> n.contains("more than 4 times")), fit.notes().toString());
		}
	}
}

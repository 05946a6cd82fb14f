package org.explainj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.explainj.TestData;
import org.explainj.image.ImageFrames;
import org.explainj.image.ImageGeometry;
import org.explainj.image.IntensityScaling;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelLoader;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;

/** {@code --resolution layer} writes the class activation map at the layer's own size, not resized to the image. */
class LayerResolutionCliTest {

	@TempDir
	Path tmp;

	@Test
	void gradCamAtLayerResolutionIsTheRawLayerMap() {
		Path tif = tmp.resolve("layer.tif");
		CliTest.Run r = CliTest.run("explain", "--model", TestData.MALARIA.toString(), "--image", TestData.PARASITIZED
			.toString(), "--method", "grad-cam", "--resolution", "layer", "--out", tif.toString());
		assertEquals(0, r.code(), r.err());
		ImagePlus map = IJ.openImage(tif.toString());
		ImagePlus source = TestData.open(TestData.PARASITIZED);
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			InputBatch x = ImageGeometry.shared().toModelInput(ImageFrames.of(source), m, IntensityScaling.UNIT);
			AttributionMethod a = Methods.byName("grad-cam");
			Explanation e = new Explainer(m).explain(a, MethodSettings.of(a, Map.of("resolution", "layer")), x, null,
				Target.TOP, ScoreKind.LOGIT, Reduction.SUM, 8, (d, t) -> {});
			assertTrue(e.width() < source.getWidth() && e.height() < source.getHeight(), e.width() + " x " + e.height());
			assertEquals(e.width(), map.getWidth());
			assertEquals(e.height(), map.getHeight());
			assertArrayEquals(e.map(0), (float[]) map.getProcessor().getPixels(), 1e-6f);
		}
	}

	@Test
	void anOverlayAtLayerResolutionIsRefusedBeforeAnythingRuns() {
		Path tif = tmp.resolve("never.tif"), png = tmp.resolve("never.png");
		CliTest.Run r = CliTest.run("explain", "--model", TestData.MALARIA.toString(), "--image", TestData.PARASITIZED
			.toString(), "--method", "grad-cam", "--resolution", "layer", "--out", tif.toString(), "--overlay", png
				.toString());
		assertEquals(1, r.code(), r.out());
		assertTrue(r.err().contains("--overlay needs the map at the image's size"), r.err());
		assertFalse(Files.exists(tif) || Files.exists(png));
	}
}

package org.explainj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.junit.jupiter.api.Test;

/**
 * Layers go by the names model.summary() shows, with or without variables (Keras 3 traces each layer in a
 * scope with a suffix, "relu2_1"), and every class activation map method takes one.
 */
class KerasLayerNamesTest {

	private static final Path KERAS3 = ModelFormsTest.DIR.resolve("keras3-export");

	@Test
	void layersCarryTheirKerasNamesAndTheScopeNamesStillWork() {
		try (ClassifierModel m = ModelLoader.load(KERAS3)) {
			LayerIndex index = m.layers();
			// the names of tools/fixtures/make_model_forms.py's body(), as model.summary() lists them
			assertEquals(List.of("conv1", "pool1", "conv2", "bn2", "relu2", "gap", "predictions"), index.layers().stream()
				.map(LayerIndex.Layer::name).toList());
			assertEquals(index.layer("relu2").output().op().name(), index.layer("relu2_1").output().op().name());
		}
	}

	@Test
	void tf1GraphsWithoutScopesHaveLayersForGradCam() throws IOException {
		try (ClassifierModel m = ModelLoader.load(ModelFormsTest.DIR.resolve("tf1"))) {
			LayerIndex index = m.layers();
			assertTrue(index.find("conv1").isPresent() && index.find("conv2").isPresent(), index.layers().toString());
			InputBatch x = TestData.reference(ModelFormsTest.DIR.resolve("tf1")).input();
			Explanation e = new Explainer(m).explain(Methods.byName("grad-cam"), x, Target.TOP, ScoreKind.LOGIT,
				Reduction.SUM, 8);
			assertEquals(16, e.width());
		}
	}

	@Test
	void everyCamMethodTakesTheLayerByItsKerasName() throws IOException {
		InputBatch x = TestData.reference(KERAS3).input();
		try (ClassifierModel m = ModelLoader.load(KERAS3)) {
			Explainer explainer = new Explainer(m);
			for (String method : List.of("cam", "grad-cam", "grad-cam-plus-plus")) {
				AttributionMethod a = Methods.byName(method);
				Explanation auto = explain(explainer, a, Map.of("resolution", "layer"), x);
				Explanation named = explain(explainer, a, Map.of("resolution", "layer", "layer", "relu2"), x);
				assertEquals(8, named.width(), method + ": relu2 is 8 x 8 (16 / 2 after pool1)");
				assertArrayEquals(auto.maps(), named.maps(), 1e-6f, method + ": auto is relu2, the GAP input");
			}
			AttributionMethod gradCam = Methods.byName("grad-cam");
			assertEquals(16, explain(explainer, gradCam, Map.of("resolution", "layer", "layer", "conv1"), x).width());
			ExplainException e = assertThrows(ExplainException.class, () -> explain(explainer, Methods.byName("cam"), Map
				.of("layer", "conv1"), x));
			assertTrue(e.getMessage().startsWith("CAM weights only the map that the global average pooling reads (layer " +
				"'relu2'); layer 'conv1' is not that map."), e.getMessage());
		}
	}

	private static Explanation explain(Explainer explainer, AttributionMethod a, Map<String, String> settings,
		InputBatch x)
	{
		return explainer.explain(a, MethodSettings.of(a, settings), x, null, Target.TOP, ScoreKind.LOGIT, Reduction.SUM,
			8, (d, t) -> {});
	}
}

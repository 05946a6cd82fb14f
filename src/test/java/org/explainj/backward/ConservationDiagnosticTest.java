package org.explainj.backward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.explainj.TestData;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Methods;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelLoader;
import org.junit.jupiter.api.Test;

/**
 * The conservation diagnostics of the relevance methods: sum(R) / f(x) and the share the rules absorbed
 * (measured layer by layer) add up to 1 when nothing else loses relevance; a map whose score epsilon
 * swallows and DeepLIFT with gradient routing through max pooling (which breaks
 * summation-to-delta by construction) are warned about; conserving runs are not.
 */
class ConservationDiagnosticTest {

	private static final Path DIR = Path.of("test-images/models/backward");

	private static List<String> notes(String method, Explanation e, Map<String, String> p) {
		return Methods.byName(method).notes(e, MethodSettings.of(Methods.byName(method), p));
	}

	@Test
	void lrpZeroConservesOnABiasFreeNetworkAndSaysNothing() throws Exception {
		try (ClassifierModel m = ModelLoader.load(DIR.resolve("sequential-bias-free"))) {
			Explanation e = RelevanceAxiomsTest.run(m, "lrp-0", TestData.reference(DIR.resolve("sequential-bias-free"))
				.input(), Map.of());
			for (int i = 0; i < e.n(); i++) {
				assertEquals(1, e.diagnostics().get("conservation")[i], 1e-4);
				assertEquals(0, e.diagnostics().get("absorbed")[i], 1e-4);
			}
			assertEquals(List.of(), notes("lrp-0", e, Map.of()));
		}
	}

	@Test
	void whatTheBiasesAbsorbIsWhatTheMapMisses() throws Exception {
		try (ClassifierModel m = ModelLoader.load(DIR.resolve("bn-after-concat"))) {
			InputBatch x = TestData.reference(DIR.resolve("bn-after-concat")).input();
			Explanation e = RelevanceAxiomsTest.run(m, "lrp-0", x, Map.of());
			for (int i = 0; i < e.n(); i++) {
				float kept = e.diagnostics().get("conservation")[i], absorbed = e.diagnostics().get("absorbed")[i];
				assertEquals(kept, RelevanceAxiomsTest.sum(e.map(i)) / e.targetScores()[i], 1e-4 * Math.max(1, Math.abs(
					kept)), "conservation is sum(R) / f(x)");
				assertTrue(Math.abs(absorbed) > 1e-3, "biases absorb relevance: " + absorbed);
				assertEquals(1, kept + absorbed, 1e-4, "image " + i);
			}
			assertTrue(notes("lrp-0", e, Map.of()).stream().noneMatch(n -> n.contains("outside its rules")));
		}
	}

	@Test
	void anEpsilonThatSwallowsTheScoreIsWarnedAboutAndARelativeOneIsNot() throws Exception {
		try (ClassifierModel m = ModelLoader.load(DIR.resolve("sequential-bias-free"))) {
			InputBatch x = TestData.reference(DIR.resolve("sequential-bias-free")).input();
			Map<String, String> huge = Map.of("epsilon", "1000");
			Explanation e = RelevanceAxiomsTest.run(m, "lrp-epsilon", x, huge);
			for (int i = 0; i < e.n(); i++) assertTrue(Math.abs(e.diagnostics().get("conservation")[i]) < 0.01, "epsilon " +
				"1000 keeps almost nothing: " + e.diagnostics().get("conservation")[i]);
			List<String> warned = notes("lrp-epsilon", e, huge);
			assertEquals(1, warned.size(), warned.toString());
			assertTrue(warned.get(0).contains("LRP-epsilon: the rules absorbed 10") && warned.get(0).contains(
				"a smaller or relative epsilon"), warned.get(0));

			Map<String, String> relative = Map.of("epsilon", "0.01", "stabiliser", "relative");
			Explanation r = RelevanceAxiomsTest.run(m, "lrp-epsilon", x, relative);
			for (int i = 0; i < r.n(); i++) {
				float kept = r.diagnostics().get("conservation")[i];
				assertTrue(kept > 0.5 && kept < 1, "relative epsilon 0.01 absorbs a little: " + kept);
			}
			assertEquals(List.of(), notes("lrp-epsilon", r, relative));
		}
	}

	/**
	 * On a bias-free ReLU network every unit that passes relevance has z > 0, and gamma's denominator
	 * z + gamma sum(positive contributions) is exactly the sum of what the unit sends back: LRP-gamma
	 * conserves for any gamma, also a large one, and says nothing.
	 */
	@Test
	void gammaConservesOnABiasFreeNetworkForAnyGamma() throws Exception {
		try (ClassifierModel m = ModelLoader.load(DIR.resolve("sequential-bias-free"))) {
			InputBatch x = TestData.reference(DIR.resolve("sequential-bias-free")).input();
			for (String gamma : List.of("0.25", "10")) {
				Explanation e = RelevanceAxiomsTest.run(m, "lrp-gamma", x, Map.of("gamma", gamma));
				for (int i = 0; i < x.n(); i++) assertEquals(1, e.diagnostics().get("conservation")[i], 1e-4, "gamma " + gamma);
				assertEquals(List.of(), notes("lrp-gamma", e, Map.of("gamma", gamma)));
			}
		}
	}

	@Test
	void deepLiftWithGradientRoutingThroughMaxPoolingLosesTheDeltaAndSaysSo() throws Exception {
		try (ClassifierModel m = ModelLoader.load(DIR.resolve("sequential-bias"))) {
			InputBatch x = TestData.reference(DIR.resolve("sequential-bias")).input();
			Map<String, String> exact = Map.of("baseline", "blur"), routed = Map.of("baseline", "blur", "maxpool", "gradient");
			Explanation kept = RelevanceAxiomsTest.run(m, "deeplift", x, exact);
			Explanation lost = RelevanceAxiomsTest.run(m, "deeplift", x, routed);
			for (int i = 0; i < x.n(); i++) assertEquals(1, kept.diagnostics().get("conservation")[i], 1e-3);
			assertEquals(List.of(), notes("deeplift", kept, exact));
			List<String> warned = notes("deeplift", lost, routed);
			assertEquals(1, warned.size(), "max pooling routed by gradient breaks summation-to-delta: " + java.util.Arrays
				.toString(lost.diagnostics().get("conservation")));
			assertTrue(warned.get(0).contains("maxpool=gradient"), warned.get(0));
		}
	}
}

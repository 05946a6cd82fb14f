package org.explainj.backward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.explainj.TestData;
import org.explainj.job.ExplainResult;
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

import ij.ImagePlus;

/** Conservation and sign axioms of the relevance methods, and where they put relevance on real cells. */
class RelevanceAxiomsTest {

	@TempDir
	Path tmp;

	static Explanation run(ClassifierModel m, String method, InputBatch x, Map<String, String> p) {
		AttributionMethod a = Methods.byName(method);
		return new Explainer(m).explain(a, MethodSettings.of(a, p), x, null, Target.TOP, ScoreKind.LOGIT, Reduction.SUM,
			8, (d, t) -> {});
	}

	static double sum(float[] v) {
		double s = 0;
		for (float f : v) s += f;
		return s;
	}

	@Test
	void lrpZeroZPlusAndDeepTaylorConserveRelevanceOnABiasFreeNetwork() throws Exception {
		try (ClassifierModel m = ModelLoader.load(TestData.tf1SavedModel(tmp.resolve("bias-free"), false));
			ClassifierModel biased = ModelLoader.load(TestData.tf1SavedModel(tmp.resolve("biased"), true)))
		{
			InputBatch x = new InputBatch(TestData.randomImage(8, 3 * 12 * 12 * 3), 3, 12, 12, 3);
			for (String method : List.of("lrp-0", "lrp-zplus", "deep-taylor")) {
				Explanation e = run(m, method, x, Map.of());
				for (int i = 0; i < 3; i++) {
					double logit = e.targetScores()[i];
					assertTrue(logit > 0, "a positive logit to decompose");
					assertEquals(logit, sum(e.map(i)), 1e-4 * Math.abs(logit), method + " image " + i);
				}
				if (!method.equals("lrp-0")) {
					for (float v : e.maps()) assertTrue(v >= -1e-7f, method + " relevance must be non-negative: " + v);
				}
			}
			// epsilon absorbs some relevance, and so do biases: the same check fails there
			Explanation eps = run(m, "lrp-epsilon", x, Map.of("epsilon", "1"));
			assertTrue(Math.abs(sum(eps.map(0)) - eps.targetScores()[0]) > 1e-3);
			Explanation withBias = run(biased, "lrp-0", x, Map.of());
			assertTrue(Math.abs(sum(withBias.map(0)) - withBias.targetScores()[0]) > 1e-3);
		}
	}

	@Test
	void alphaBetaChecksItsParameters() {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			InputBatch x = new InputBatch(TestData.randomImage(2, 44 * 44 * 3), 1, 44, 44, 3);
			var e = org.junit.jupiter.api.Assertions.assertThrows(org.explainj.ExplainException.class, () -> run(m,
				"lrp-alpha-beta", x, Map.of("alpha", "2", "beta", "0")));
			assertTrue(e.getMessage().contains("alpha - beta = 1"), e.getMessage());
			float[] a2b1 = run(m, "lrp-alpha-beta", x, Map.of("alpha", "2", "beta", "1")).map(0);
			boolean negative = false;
			for (float v : a2b1) negative |= v < 0;
			assertTrue(negative, "beta = 1 keeps negative relevance");
		}
	}

	/**
	 * On the two parasitized crops, the "infected" relevance of LRP and deep Taylor concentrates on the
	 * parasite: its positive mass on the colour-threshold mask exceeds the mask's share of the cell.
	 */
	@Test
	void relevanceOfInfectedConcentratesOnTheParasite() throws Exception {
		for (String method : List.of("lrp-epsilon", "lrp-alpha-beta", "lrp-epsilon-plus", "deep-taylor", "deeplift")) {
			for (Path crop : TestData.parasitizedCrops()) {
				ImagePlus image = TestData.open(crop);
				ExplainResult r = TestData.explain(image, TestData.MALARIA, method, "infected", Map.of());
				TestData.ParasiteScore s = TestData.parasiteScore(image, r.map(0, 0));
				System.out.printf(Locale.ROOT, "parasite %-17s %s: mass share on mask %.3f vs area share %.3f (x%.1f); " +
					"max %.1f px from the mask%n", method, crop.getFileName(), s.massShare(), s.areaShare(), s.enrichment(), s
						.distance());
				assertTrue(s.enrichment() > 2, method + " " + crop + ": " + s);
			}
		}
	}
}

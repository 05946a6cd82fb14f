package org.explainj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.explainj.job.ExplainResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Class names from explainj.json or labels.txt beside the model, and what is said when a name is unknown. */
class ClassNamesTest {

	@TempDir
	Path tmp;

	private Path bareMalaria() throws Exception {
		Path dir = Files.createDirectories(tmp.resolve("m"));
		return Files.copy(TestData.MALARIA, dir.resolve("malaria.pb"));
	}

	@Test
	void aSidecarNamesTheClassesAndATargetNameWorks() throws Exception {
		Path model = bareMalaria();
		Files.writeString(model.resolveSibling(ClassNames.SIDECAR), "{\n  \"classes\": [\"parasitized\", \"uninfected\"],\n" +
			"  \"note\": {\"source\": \"NLM \\\"malaria\\\"\", \"cells\": [1, 2.5e0, true, null]}\n}\n");
		ExplainResult result = TestData.explain(TestData.open(TestData.PARASITIZED), model, "saliency", "parasitized",
			Map.of());
		assertEquals(0, result.explanation().targets()[0], "parasitized is class 0, as in the model's documentation");
		assertTrue(result.label(0).startsWith("parasitized: logit"), result.label(0));
	}

	@Test
	void withoutNamesAnUnknownNameSaysWhereNamesComeFrom() throws Exception {
		Path model = bareMalaria();
		ExplainException e = assertThrows(ExplainException.class, () -> TestData.explain(TestData.open(
			TestData.PARASITIZED), model, "saliency", "infected", Map.of()));
		assertTrue(e.getMessage().startsWith("Unknown target 'infected'."), e.getMessage());
		assertTrue(e.getMessage().contains("class index 0..1; the model has no class names (class names come from " +
			"labels.txt (one name per line) or explainj.json"), e.getMessage());
		// an index still works, and results name the class by it
		assertTrue(TestData.explain(TestData.open(TestData.PARASITIZED), model, "saliency", "0", Map.of()).label(0)
			.startsWith("class 0: logit"));
	}

	@Test
	void labelsAndSidecarMustAgreeAndBadJsonIsNamed() throws Exception {
		Path model = bareMalaria();
		Files.writeString(model.resolveSibling(ClassNames.LABELS), "infected\nuninfected\n");
		Files.writeString(model.resolveSibling(ClassNames.SIDECAR), "{\"classes\": [\"infected\", \"uninfected\"]}");
		assertEquals(List.of("infected", "uninfected"), ModelSidecar.in(model.getParent()).classes());
		Files.writeString(model.resolveSibling(ClassNames.SIDECAR), "{\"classes\": [\"uninfected\", \"infected\"]}");
		ExplainException differ = assertThrows(ExplainException.class, () -> ModelSidecar.in(model.getParent()).classes());
		assertTrue(differ.getMessage().contains("name different classes"), differ.getMessage());
		Files.writeString(model.resolveSibling(ClassNames.SIDECAR), "{\"classes\": [\"infected\" \"uninfected\"]}");
		ExplainException bad = assertThrows(ExplainException.class, () -> ModelSidecar.in(model.getParent()).classes());
		assertTrue(bad.getMessage().contains("explainj.json is not valid JSON: expected ',' or ']' at character 25."),
			bad.getMessage());
		Files.writeString(model.resolveSibling(ClassNames.SIDECAR), "{\"classes\": \"infected\"}");
		assertTrue(assertThrows(ExplainException.class, () -> ModelSidecar.in(model.getParent()).classes()).getMessage().contains(
			"is not a list of names"));
	}

	@Test
	void namesAddedBesideACachedModelAreSeen() throws Exception {
		Path model = bareMalaria();
		ModelCache cache = new ModelCache(4);
		try {
			try (ModelCache.Lease bare = cache.acquire(model, false)) {
				assertEquals(List.of(), bare.model().labels());
			}
			Files.writeString(model.resolveSibling(ClassNames.SIDECAR), "{\"classes\": [\"parasitized\", \"uninfected\"]}");
			try (ModelCache.Lease named = cache.acquire(model, false)) {
				assertEquals(List.of("parasitized", "uninfected"), named.model().labels());
			}
		}
		finally {
			cache.clear();
		}
	}

	@Test
	void theReaderReadsWhatJsonAllows() {
		Object doc = new Json(" {\"a\": [1, -2.5e1, \"x\\ny\\u0041\"], \"b\": {}, \"c\": false, \"d\": null} ").document();
		assertEquals(Map.of("a", List.of(1.0, -25.0, "x\nyA"), "b", Map.of(), "c", false), withoutNull(doc));
		assertTrue(((Map<?, ?>) doc).containsKey("d"));
		assertThrows(IllegalArgumentException.class, () -> new Json("{\"a\": 1} x").document());
		assertThrows(IllegalArgumentException.class, () -> new Json("[1, ").document());
		assertThrows(IllegalArgumentException.class, () -> new Json("{a: 1}").document());
	}

	private static Map<?, ?> withoutNull(Object doc) {
		Map<Object, Object> m = new java.util.HashMap<>((Map<?, ?>) doc);
		m.remove("d");
		return m;
	}
}

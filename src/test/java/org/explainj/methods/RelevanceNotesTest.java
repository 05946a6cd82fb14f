package org.explainj.methods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The conservation notes name the right cause: relevance absorbed by the rules, or created by them. */
class RelevanceNotesTest {

	private static Explanation withDiagnostics(float kept, float absorbed) {
		return new Explanation("lrp-0", new float[1], 1, 1, 1, 1, new int[1], new int[1], new float[] { 1 }, new float[][] {
			{ 1 } }, Map.of(Relevance.CONSERVATION, new float[] { kept }, Relevance.ABSORBED, new float[] { absorbed }));
	}

	@Test
	void absorbedRelevanceGetsTheMethodsHintAndCreatedRelevanceTheBiasSign() {
		List<String> absorbed = Relevance.notes(withDiagnostics(0.2f, 0.8f), "LRP-0", "HINT");
		assertEquals(1, absorbed.size());
		assertTrue(absorbed.get(0).contains("absorbed 80%") && absorbed.get(0).endsWith("HINT"), absorbed.get(0));
		List<String> created = Relevance.notes(withDiagnostics(3.22f, -2.22f), "LRP-0", "HINT");
		assertEquals(1, created.size());
		assertTrue(created.get(0).contains("created 222%") && created.get(0).endsWith(Relevance.CREATED_HINT), created.get(0));
		assertTrue(Relevance.notes(withDiagnostics(0.9f, 0.1f), "LRP-0", "HINT").isEmpty(), "10% absorbed is no news");
	}
}

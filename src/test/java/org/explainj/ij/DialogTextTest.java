package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** ImageJ's error dialog does not wrap: the bridge breaks a long sentence into lines itself. */
class DialogTextTest {

	@Test
	void longSentencesAreBrokenAtSpacesWithoutLosingAWord() {
		String sentence = "The model /data/models/stranger/frozen.pb holds operations that read, list or write files: " +
			"MatchingFiles (node 'MatchingFiles'), ReadFile (node 'ReadFile'); ExplainJ does not run it. Use a model " +
			"from a source you trust.";
		String wrapped = CommandBridge.wrapped(sentence, 40);
		String[] lines = wrapped.split("\n");
		assertTrue(lines.length >= sentence.length() / 40, wrapped);
		for (String line : lines) assertTrue(line.length() <= 40, "line too long: " + line);
		assertEquals(sentence, String.join(" ", lines));
		// a word longer than the width stands on its own line, whole
		assertEquals("a\n" + "x".repeat(50) + "\nb", CommandBridge.wrapped("a " + "x".repeat(50) + " b", 10));
	}
}

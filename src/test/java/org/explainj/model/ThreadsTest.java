package org.explainj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.explainj.ExplainException;
import org.junit.jupiter.api.Test;

/** The thread setting: its forms, and one sentence about it whichever model form is loaded. */
class ThreadsTest {

	@Test
	void settings() {
		assertArrayEquals(new int[] { 0, 0 }, Threads.pools("auto"));
		assertArrayEquals(new int[] { 3, 1 }, Threads.pools("3"));
		assertArrayEquals(new int[] { 2, 4 }, Threads.pools(" 2 , 4 "));
		for (String bad : new String[] { "abc", "0", "2,x", "1,2,3" }) assertThrows(ExplainException.class, () -> Threads
			.pools(bad), bad);
	}

	@Test
	void aBadSettingIsNamedForSavedModelsAndFrozenGraphs() {
		String before = System.getProperty(Threads.PROPERTY);
		System.setProperty(Threads.PROPERTY, "abc");
		try {
			for (String model : new String[] { "test-images/models/mnist-keras",
				"test-images/models/nlm-malaria/malaria_thinsmear_44.pb" })
			{
				ExplainException e = assertThrows(ExplainException.class, () -> ModelLoader.load(Path.of(model)).close(),
					model);
				assertTrue(e.getMessage().startsWith("The thread setting explainj.threads=abc is not a thread count."), e
					.getMessage());
			}
		}
		finally {
			if (before == null) System.clearProperty(Threads.PROPERTY);
			else System.setProperty(Threads.PROPERTY, before);
		}
	}
}

package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;

import org.explainj.HeadlessCommands;
import org.explainj.ExplainException;
import org.explainj.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.scijava.module.Module;

import ij.measure.ResultsTable;

/** The commands' 'trust' option (dialog checkbox, macro key 'trust') as scripts run it. */
class TrustedModelCommandTest {

	static final Path MODEL = Path.of("test-images/models/hostile/frozen-writes-output.pb");
	static final Path WRITTEN = Path.of("target/hostile-model-wrote-this/frozen.txt");

	@RegisterExtension
	static final HeadlessCommands COMMANDS = new HeadlessCommands();

	@AfterAll
	static void removeWhatTheTrustedModelWrote() throws Exception {
		Files.deleteIfExists(WRITTEN);
		Files.deleteIfExists(WRITTEN.getParent());
	}

	@Test
	void refusedWithoutTrustAndMarkedInTheTableWithIt() throws Exception {
		Files.deleteIfExists(WRITTEN);
		ExecutionException e = assertThrows(ExecutionException.class, () -> COMMANDS.run(
			ExplainCommand.class, true, "method", "saliency", "image", TestData.open(TestData.DIGIT), "model", MODEL.toFile()).get());
		Throwable cause = e.getCause();
		while (cause != null && !(cause instanceof ExplainException)) cause = cause.getCause();
		assertTrue(cause != null && cause.getMessage().contains("WriteFile (node 'WriteFile')"), String.valueOf(cause));
		assertFalse(Files.exists(WRITTEN));
		Module module = COMMANDS.run(ExplainCommand.class, true, "method", "saliency", "image", TestData.open(
			TestData.DIGIT), "model", MODEL.toFile(), "trust", true).get();
		ResultsTable table = ((ExplainCommand) module.getDelegateObject()).results;
		String note = table.getStringValue("Trusted model", table.size() - 1);
		assertTrue(note.startsWith("Trusted model frozen-writes-output.pb: ran although it holds operations that read, " +
			"list or write files: "), note);
		assertTrue(Files.exists(WRITTEN), "trusted, it ran");
		assertEquals(1, ((ij.ImagePlus) module.getOutput("map")).getStackSize());
	}
}

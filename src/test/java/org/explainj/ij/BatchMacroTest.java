package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.explainj.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;

/**
 * Failures inside ImageJ -batch macros (Xvfb, a real ImageJ 1.x with the plugin jar): the macro stops at
 * the failing line with ExplainJ's sentence in ImageJ's output, and ImageJ exits. A modal dialog would
 * leave ImageJ running: each run is killed after {@link #LIMIT_S} seconds and the test fails.
 */
class BatchMacroTest {

	static final int LIMIT_S = 60;

	@TempDir
	static Path tmp;

	@BeforeAll
	static void plugins() throws Exception {
		Path jars = Files.createDirectories(tmp.resolve("plugins/jars"));
		MacroTest.pluginJar(Path.of("target/classes"), tmp.resolve("plugins/ExplainJ_.jar"));
		for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
			Path jar = Path.of(entry);
			String name = jar.getFileName().toString();
			if (name.endsWith(".jar") && MacroTest.PLUGIN_JARS.stream().anyMatch(name::startsWith)) Files.copy(jar, jars
				.resolve(name));
		}
		// a second plugin jar with a command that fails in a way ExplainJ does not check for
		try (OutputStream os = Files.newOutputStream(tmp.resolve("plugins/Failing_Test_.jar"));
			JarOutputStream jar = new JarOutputStream(os))
		{
			StringBuilder config = new StringBuilder();
			for (Class<?> c : new Class<?>[] { FailingCommand.class, FailingCommand.Linkage.class }) {
				String cls = c.getName().replace('.', '/') + ".class";
				jar.putNextEntry(new JarEntry(cls));
				Files.copy(Path.of("target/test-classes", cls), jar);
				jar.closeEntry();
				config.append("Plugins>ExplainJ, \"" + c.getSimpleName() + " test...\", org.explainj.ij.CommandBridge(\"" + c
					.getName() + "\")\n");
			}
			jar.putNextEntry(new JarEntry("plugins.config"));
			jar.write(config.toString().getBytes(StandardCharsets.UTF_8));
			jar.closeEntry();
		}
	}

	record Outcome(String console, boolean continued) {}

	/** Runs {@code call} after opening the malaria cell, then a line that must not be reached. */
	private static Outcome batch(String name, String call) throws Exception {
		Path marker = tmp.resolve(name + ".reached"), console = tmp.resolve(name + ".log");
		String macro = String.join("\n", "open(\"" + TestData.PARASITIZED.toAbsolutePath() + "\");", call,
			"File.saveString(\"the macro went on\", \"" + marker + "\");");
		Path file = Files.writeString(tmp.resolve(name + ".ijm"), macro);
		Path ij = Path.of(IJ.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		ProcessBuilder pb = new ProcessBuilder("xvfb-run", "-a", MacroTest.javaBinary(), "-Djava.awt.headless=false",
			"-Dplugins.dir=" + tmp, "-jar", ij.toString(), "-batch", file.toString());
		pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		pb.redirectErrorStream(true).redirectOutput(console.toFile());
		Process p;
		try {
			p = pb.start();
		}
		catch (IOException e) {
			throw new AssertionError("xvfb-run is needed for the ImageJ macro tests: apt-get install -y xvfb", e);
		}
		boolean exited = p.waitFor(LIMIT_S, TimeUnit.SECONDS);
		if (!exited) {
			p.descendants().forEach(ProcessHandle::destroyForcibly);
			p.destroyForcibly().waitFor();
		}
		String output = Files.readString(console);
		assertTrue(exited, name + ": ImageJ did not exit within " + LIMIT_S + " s (a dialog waits?)\n" + output);
		return new Outcome(output, Files.exists(marker));
	}

	private static void assertStopsWith(String name, String call, String sentence) throws Exception {
		Outcome o = batch(name, call);
		assertTrue(o.console().contains("ExplainJ: ") && o.console().contains(sentence), name + ": the sentence '" +
			sentence + "' is not in ImageJ's output:\n" + o.console());
		assertFalse(o.continued(), name + ": the macro went on after the failure\n" + o.console());
		assertFalse(o.console().contains("\tat org.explainj"), name + ": a stack trace\n" + o.console());
	}

	@Test
	void missingModel() throws Exception {
		assertStopsWith("missing-model", "run(\"Saliency...\", \"model=[" + tmp.resolve("no-model") +
			"] target=top score=logit scale=unit reduce=default opacity=0.5 map batch=32\");", "Model not found: " + tmp
				.resolve("no-model"));
	}

	@Test
	void badTarget() throws Exception {
		assertStopsWith("bad-target", "run(\"Saliency...\", \"model=[" + TestData.MALARIA.toAbsolutePath() +
			"] target=giraffe score=logit scale=unit reduce=default opacity=0.5 map batch=32\");",
			"Unknown target 'giraffe'.");
	}

	@Test
	void unknownLayer() throws Exception {
		assertStopsWith("unknown-layer", "run(\"Grad-CAM...\", \"model=[" + TestData.MNIST.toAbsolutePath() +
			"] target=top score=logit scale=unit reduce=default opacity=0.5 map batch=32 layer=conv9 resolution=input\");",
			"The model has no layer 'conv9'.");
	}

	@Test
	void negativeSteps() throws Exception {
		assertStopsWith("negative-steps", "run(\"Integrated Gradients...\", \"model=[" + TestData.MALARIA
			.toAbsolutePath() + "] target=top score=logit scale=unit reduce=default opacity=0.5 map batch=32 steps=-5 " +
			"baseline=zeros rule=riemann\");", "integrated-gradients: 'steps' must be at least 1, not -5.");
	}

	@Test
	void wordWhereANumberBelongs() throws Exception {
		assertStopsWith("word-for-number", "run(\"Saliency...\", \"model=[" + TestData.MALARIA.toAbsolutePath() +
			"] target=top score=logit scale=unit reduce=default opacity=0.5 map batch=abc\");",
			"must be a whole number, not 'abc'.");
	}

	@Test
	void failureOutsideExplainJsChecks() throws Exception {
		assertStopsWith("not-explainj", "run(\"FailingCommand test...\");", "ExplainJ failed unexpectedly " +
			"(IllegalStateException: " + FailingCommand.MESSAGE + ")");
	}

	@Test
	void linkageErrorFromAnotherTensorFlow() throws Exception {
		assertStopsWith("linkage", "run(\"Linkage test...\");", "ExplainJ failed unexpectedly (NoSuchMethodError: " +
			FailingCommand.Linkage.MESSAGE + ")");
	}

	@Test
	void callWithoutOptions() throws Exception {
		assertStopsWith("no-options", "run(\"Saliency...\");", "was called without options in a batch run");
	}

	/** The contrast: a macro that does not fail runs to its end and ImageJ exits. */
	@Test
	void aGoodCallRunsOn() throws Exception {
		Outcome o = batch("good", "run(\"Saliency...\", \"model=[" + TestData.MALARIA.toAbsolutePath() +
			"] target=top score=logit scale=unit reduce=default opacity=0.5 map batch=32\");");
		assertTrue(o.continued(), o.console());
		assertEquals(-1, o.console().indexOf("ExplainJ: "), o.console());
	}
}

package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.explainj.TestData;
import org.explainj.image.IntensityScaling;
import org.explainj.job.ExplainJob;
import org.explainj.job.ExplainOptions;
import org.explainj.job.ExplainResult;
import org.explainj.methods.Methods;
import org.explainj.methods.Target;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;

/**
 * A Fiji-like ImageJ whose plugins/jars also hold libtensorflow 1.15 (+ JNI) and protobuf-java 3.5.1,
 * as many Fiji installs do: the menu command still runs, on ExplainJ's own TensorFlow (Isolation).
 * The old jars come from the build (target/old-fiji-jars), never from the test class path.
 */
class FijiClassPathTest {

	private static final List<String> PLUGIN_JARS = List.of("tensorflow-core", "ndarray", "javacpp", "protobuf-java",
		"scijava-common", "parsington", "imglib2");

	@TempDir
	Path tmp;

	@Test
	void aMenuCommandRunsBesideLibtensorflow115AndAnOldProtobuf() throws Exception {
		Path jars = Files.createDirectories(tmp.resolve("plugins/jars"));
		MacroTest.pluginJar(Path.of("target/classes"), tmp.resolve("plugins/ExplainJ_.jar"));
		for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
			Path jar = Path.of(entry);
			String name = jar.getFileName().toString();
			if (name.endsWith(".jar") && PLUGIN_JARS.stream().anyMatch(name::startsWith)) Files.copy(jar, jars.resolve(name));
		}
		try (Stream<Path> old = Files.list(Path.of("target/old-fiji-jars"))) {
			List<Path> oldJars = old.toList();
			assertEquals(3, oldJars.size(), "the build copies libtensorflow, libtensorflow_jni, protobuf-java 3.5.1");
			for (Path jar : oldJars) Files.copy(jar, jars.resolve(jar.getFileName()));
		}
		Path image = TestData.PARASITIZED.toAbsolutePath(), model = TestData.MALARIA.toAbsolutePath();
		Path out = tmp.resolve("saliency.tif");
		String macro = String.join("\n", "open(\"" + image + "\");",
			"run(\"Saliency...\", \"model=[" + model + "] target=infected score=logit scale=unit reduce=default " +
				"opacity=0.5 map batch=32\");", "saveAs(\"Tiff\", \"" + out + "\");");
		Path macroFile = Files.writeString(tmp.resolve("test.ijm"), macro);
		Path ij = Path.of(IJ.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		ProcessBuilder pb = new ProcessBuilder("xvfb-run", "-a", MacroTest.javaBinary(), "-Djava.awt.headless=false",
			"-Dplugins.dir=" + tmp, "-jar", ij.toString(), "-batch", macroFile.toString()).redirectErrorStream(true)
				.redirectOutput(tmp.resolve("console.txt").toFile());
		pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		Process p = pb.start();
		// an error dialog in -batch never closes: give up after a while instead of waiting for ever
		boolean finished = p.waitFor(180, TimeUnit.SECONDS);
		if (!finished) p.descendants().forEach(ProcessHandle::destroyForcibly);
		p.destroyForcibly();
		String console = Files.readString(tmp.resolve("console.txt"), StandardCharsets.UTF_8);
		assertTrue(finished, "ImageJ did not finish (an error dialog?):\n" + console);
		assertTrue(Files.exists(out), "the command did not run:\n" + console);
		ImagePlus map = IJ.openImage(out.toString());
		ExplainResult direct = ExplainJob.run(TestData.open(TestData.PARASITIZED), new ExplainOptions(TestData.MALARIA,
			Methods.byName("saliency"), new Target("infected"), ScoreKind.LOGIT, IntensityScaling.UNIT, null, 32, java.util
				.Map.of()));
		assertArrayEquals(direct.map(0, 0), (float[]) map.getProcessor().getPixels(), 1e-6f);
	}
}

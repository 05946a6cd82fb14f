package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
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
 * The menu entry as a user's macro calls it, in a real ImageJ 1.x under Xvfb: the plugin jar (with
 * plugins.config) in plugins/, TensorFlow and SciJava in plugins/jars, ImageJ started with -batch.
 */
class MacroTest {

	/** Dependencies a plain ImageJ needs beside the plugin jar. */
	static final List<String> PLUGIN_JARS = List.of("tensorflow-core", "ndarray", "javacpp", "protobuf-java",
		"scijava-common", "parsington", "imglib2");

	@TempDir
	Path tmp;

	@Test
	void recordedCallsReplayInImageJ() throws Exception {
		Path plugins = Files.createDirectories(tmp.resolve("plugins/jars"));
		pluginJar(Path.of("target/classes"), tmp.resolve("plugins/ExplainJ_.jar"));
		for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
			Path jar = Path.of(entry);
			String name = jar.getFileName().toString();
			if (name.endsWith(".jar") && PLUGIN_JARS.stream().anyMatch(name::startsWith)) Files.copy(jar, plugins.resolve(
				name));
		}
		Path image = TestData.PARASITIZED.toAbsolutePath(), model = TestData.MALARIA.toAbsolutePath();
		Path out = tmp.resolve("saliency.tif"), log = tmp.resolve("log.txt"), prototypes = tmp.resolve("prototypes.txt");
		Path digits = Path.of("test-images/models/digits-classifier").toAbsolutePath();
		Path hostile = Path.of("test-images/models/hostile/frozen-writes-output.pb").toAbsolutePath();
		Path trustLog = tmp.resolve("trust-log.txt"), methodsLog = tmp.resolve("methods-log.txt");
		String macro = String.join("\n", "open(\"" + image + "\");", "source = getTitle();",
			// exactly what ImageJ's recorder wrote (tools/RecorderLines.java, quoted in the README; the model path
			// relative to the repository root, where ImageJ runs here)
			"run(\"Saliency...\", \"model=test-images/models/nlm-malaria/malaria_thinsmear_44.pb target=infected " +
				"score=logit scale=default channels=all reduce=default geometry=auto window=0 window_stride=0 batch=32 " +
				"opacity=0.5 map\");",
			"mapTitle = getTitle();", "saveAs(\"Tiff\", \"" + out + "\");", "selectImage(source);",
			"File.saveString(mapTitle + \"\\n\" + Overlay.size + \"\\n\" + bitDepth(), \"" + log + "\");",
			// a command without an image: prototypes of two digit classes
			"run(\"Prototypes...\", \"model=[" + digits + "] target=3,8 generator=[] steps=40 learning=0.05 " +
				"lambda=0.01 seed=0 jitter=0 tv=0 blur=0 low=0 high=1\");",
			"found = \"\";", "for (i = 1; i <= nImages; i++) { selectImage(i); if (nSlices == 2) found = getTitle() + " +
				"\" \" + getWidth() + \"x\" + getHeight() + \" \" + getInfo(\"slice.label\"); }",
			// each command remembers its own values: Prototypes' steps=40 is not Integrated Gradients' default
			"File.saveString(found + \"\\n\" + call(\"ij.Prefs.get\", \"explainj.MaximizeCommand.steps\", \"unset\") + " +
				"\"\\n\" + call(\"ij.Prefs.get\", \"explainj.integrated-gradients.steps\", \"unset\"), \"" + prototypes +
				"\");",
			// a model the audit refuses runs with the macro option 'trust', and the log says so
			"open(\"" + image + "\");", "run(\"Saliency...\", \"model=[" + hostile + "] target=top map trust\");",
			"File.saveString(getTitle(), \"" + trustLog + "\");",
			// methods with parameters, keys as the recorder writes them (the declared parameters' names; keys left
			// out take the dialog's remembered values)
			"open(\"" + image + "\");", "run(\"Integrated Gradients...\", \"model=[" + model + "] target=infected " +
				"score=logit scale=unit reduce=default opacity=0.5 batch=32 steps=8 baseline=zeros rule=gauss-legendre gap=0 " +
				"max-steps=1024\");",
			"run(\"Grad-CAM...\", \"model=[" + model + "] target=infected score=logit scale=unit reduce=default " +
				"opacity=0.5 map batch=32 layer=auto resolution=layer\");", "gradCam = getTitle();",
			"rows = Table.size(\"ExplainJ\");",
			"File.saveString(gradCam + \"\\n\" + Table.getString(\"steps\", rows - 2, \"ExplainJ\") + \"\\n\" + " +
				"Table.getString(\"rule\", rows - 2, \"ExplainJ\") + \"\\n\" + Table.getString(\"resolution\", rows - 1, " +
				"\"ExplainJ\") + " +
				"\"\\n\" + call(\"ij.Prefs.get\", \"explainj.integrated-gradients.steps\", \"unset\") + \"\\n\" + " +
				"call(\"ij.Prefs.get\", \"explainj.grad-cam.resolution\", \"unset\"), \"" + methodsLog + "\");");
		Path macroFile = Files.writeString(tmp.resolve("test.ijm"), macro);
		Path ij = Path.of(IJ.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		ProcessBuilder pb = new ProcessBuilder("xvfb-run", "-a", javaBinary(), "-Djava.awt.headless=false",
			"-Dplugins.dir=" + tmp, "-jar", ij.toString(), "-batch", macroFile.toString());
		pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		pb.redirectErrorStream(true);
		Process p;
		try {
			p = pb.start();
		}
		catch (IOException e) {
			throw new AssertionError("xvfb-run is needed for the ImageJ macro test: apt-get install -y xvfb", e);
		}
		byte[] output = p.getInputStream().readAllBytes();
		assertTrue(p.waitFor(180, TimeUnit.SECONDS), "ImageJ did not finish");
		String console = new String(output, StandardCharsets.UTF_8);
		assertTrue(Files.exists(log), "the macro did not finish:\n" + console);
		List<String> lines = Files.readAllLines(log);
		assertEquals("Saliency of " + image.getFileName(), lines.get(0));
		assertEquals("3", lines.get(1), "one heatmap and its colour bar (strip and range) in the source's overlay");
		assertEquals("24", lines.get(2), "the source is still the RGB image");
		ImagePlus map = IJ.openImage(out.toString());
		ExplainResult direct = ExplainJob.run(TestData.open(TestData.PARASITIZED), new ExplainOptions(TestData.MALARIA,
			Methods.byName("saliency"), new Target("infected"), ScoreKind.LOGIT, IntensityScaling.UNIT, null, 32, java.util.Map.of()));
		assertEquals(32, map.getBitDepth());
		assertArrayEquals(direct.map(0, 0), (float[]) map.getProcessor().getPixels(), 1e-6f);
		assertTrue(Files.exists(prototypes), "the Prototypes... call did not finish:\n" + console);
		String found = Files.readString(prototypes);
		assertTrue(found.contains("28x28"), "a two-slice 28x28 prototype stack: '" + found + "'\n" + console);
		List<String> remembered = found.lines().toList();
		assertEquals(40, Double.parseDouble(remembered.get(remembered.size() - 2)), "Prototypes remembers its steps");
		assertEquals("unset", remembered.get(remembered.size() - 1), "Integrated Gradients' steps are its own");
		assertTrue(Files.exists(trustLog), "the trusted Saliency... call did not finish:\n" + console);
		assertTrue(Files.readString(trustLog).startsWith("Saliency of "), Files.readString(trustLog));
		// in batch mode IJ.log writes to the console
		assertTrue(console.contains("Trusted model frozen-writes-output.pb: ran although it holds operations that read, " +
			"list or write files"), console);
		assertTrue(Files.exists(methodsLog), "the Integrated Gradients... or Grad-CAM... call did not finish:\n" + console);
		List<String> methods = Files.readAllLines(methodsLog);
		assertEquals("Grad-CAM of " + image.getFileName(), methods.get(0), "Grad-CAM's map image");
		assertEquals(8, Double.parseDouble(methods.get(1)), "Integrated Gradients ran with steps=8:\n" + console);
		assertEquals("gauss-legendre", methods.get(2));
		assertEquals("layer", methods.get(3));
		assertEquals(8, Double.parseDouble(methods.get(4)), "Integrated Gradients remembers its own steps");
		assertEquals("layer", methods.get(5), "Grad-CAM remembers its own resolution");
		Files.deleteIfExists(Path.of("target/hostile-model-wrote-this/frozen.txt"));
		Files.deleteIfExists(Path.of("target/hostile-model-wrote-this"));
	}

	static String javaBinary() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	/** The plugin jar as Maven packages it: compiled classes and plugins.config at the root. */
	static void pluginJar(Path classes, Path jar) throws IOException {
		try (OutputStream os = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(os);
			Stream<Path> files = Files.walk(classes))
		{
			for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
				jos.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
				Files.copy(f, jos);
				jos.closeEntry();
			}
		}
	}
}

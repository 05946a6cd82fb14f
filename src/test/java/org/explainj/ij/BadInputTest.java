package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.explainj.cli.Main;
import org.explainj.methods.Methods;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandService;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;

/**
 * The bad-input matrix (src/test/resources/org/explainj/bad-inputs.tsv): every case through bin/explainj
 * (exit code 1, one line on stderr, nothing on stdout) and, where marked, through the headless SciJava
 * command (the same sentence); no input file changes and nothing is written. Writes docs/bad-inputs.md
 * from the table and the messages seen, so the README's table cannot drift from what ExplainJ says.
 */
class BadInputTest {

	static final Path TABLE = Path.of("src/test/resources/org/explainj/bad-inputs.tsv");
	static final Path DOC = Path.of("docs/bad-inputs.md");

	record Case(String name, boolean viaCommand, List<String> args, String expected) {}

	@TempDir
	static Path tmp;
	static Map<String, String> places;
	static Context context;

	@BeforeAll
	static void fixtures() throws Exception {
		System.setProperty("java.awt.headless", "true");
		context = new Context(CommandService.class);
		Path cell = Files.copy(TestData.PARASITIZED, tmp.resolve("cell.png"));
		Path celltif = tmp.resolve("cell.tif");
		IJ.saveAsTiff(IJ.openImage(cell.toString()), celltif.toString());
		Path link = Files.createSymbolicLink(tmp.resolve("link.tif"), celltif);
		Path baseline = tmp.resolve("baseline.tif");
		IJ.saveAsTiff(TestData.open(TestData.UNINFECTED), baseline.toString());
		Path evaldir = Files.createDirectories(tmp.resolve("evalin"));
		Files.copy(TestData.PARASITIZED, evaldir.resolve("selectivity.png"));
		Path text = Files.writeString(tmp.resolve("notes.png"), "not an image\n");
		places = new LinkedHashMap<>();
		places.put("{malaria}", TestData.MALARIA.toString());
		places.put("{mnist}", TestData.MNIST.toString());
		places.put("{digits}", "test-images/models/digits-classifier");
		places.put("{digit}", TestData.DIGIT.toString());
		places.put("{cell}", cell.toString());
		places.put("{celltif}", celltif.toString());
		places.put("{link}", link.toString());
		places.put("{baseline}", baseline.toString());
		places.put("{nan}", floatImage("nan.tif", Float.NaN).toString());
		places.put("{inf}", floatImage("inf.tif", Float.POSITIVE_INFINITY).toString());
		places.put("{twochannels}", twoChannels().toString());
		places.put("{text}", text.toString());
		places.put("{regression}", TestData.regressionModel(tmp.resolve("regression.pb")).toString());
		places.put("{evaldir}", evaldir.toString());
		places.put("{out}", tmp.resolve("map.tif").toString());
		places.put("{tmp}", tmp.toString());
	}

	@AfterAll
	static void stop() {
		context.dispose();
	}

	/** A 32-bit 40 x 40 image with one pixel set to {@code value}. */
	private static Path floatImage(String name, float value) {
		FloatProcessor fp = new FloatProcessor(40, 40);
		fp.setf(20, 20, value);
		Path file = tmp.resolve(name);
		IJ.saveAsTiff(new ImagePlus(name, fp), file.toString());
		return file;
	}

	private static Path twoChannels() {
		ImageStack stack = new ImageStack(30, 30);
		stack.addSlice(new ByteProcessor(30, 30));
		stack.addSlice(new ByteProcessor(30, 30));
		ImagePlus two = new ImagePlus("two", stack);
		two.setDimensions(2, 1, 1);
		Path file = tmp.resolve("two-channels.tif");
		IJ.saveAsTiff(two, file.toString());
		return file;
	}

	static List<Case> cases() throws IOException {
		List<Case> cases = new ArrayList<>();
		for (String line : Files.readAllLines(TABLE)) {
			if (line.isBlank() || line.startsWith("#")) continue;
			String[] f = line.split("\t", -1);
			assertEquals(4, f.length, "four tab-separated fields: " + line);
			assertTrue(f[1].equals("cli") || f[1].equals("both"), line);
			cases.add(new Case(f[0], f[1].equals("both"), List.of(f[2].split(" ")), f[3]));
		}
		return cases;
	}

	@Test
	void everyBadInputIsOneSentenceAndChangesNothing() throws Exception {
		List<Case> cases = cases();
		assertTrue(cases.size() >= 40, "the matrix has " + cases.size() + " cases");
		List<String> rows = new ArrayList<>();
		int viaCommand = 0;
		List<Path> watched = new ArrayList<>(List.of(tmp, TestData.MALARIA.getParent(), TestData.MNIST, Path.of(
			"test-images/models/digits-classifier"), TestData.DIGIT, TestData.MALARIA_IMAGES));
		List<String> failures = new ArrayList<>();
		for (Case c : cases) {
			try {
				String sentence = check(c, watched);
				if (c.viaCommand()) viaCommand++;
				rows.add("| " + c.name() + " | " + (c.viaCommand() ? "CLI, command" : "CLI") + " | " + escape(sentence) +
					" |");
			}
			catch (AssertionError e) {
				failures.add(e.getMessage());
			}
		}
		// every failing row at once: the table is meant to be extended
		assertEquals(List.of(), failures, String.join("\n\n", failures));
		assertTrue(viaCommand >= 30, viaCommand + " cases through the headless command");
		writeDoc(rows);
	}

	/**
	 * An input only the command has (the overlay's opacity). A missing required input (no model) is
	 * SciJava's to report: it cancels the module with a reason before ExplainJ runs.
	 */
	@Test
	void commandOnlyInputsAreOneSentenceToo() throws Exception {
		Object[][] cases = { { "opacity", 1.5, "Opacity 1.5 is outside 0..1." }, { "opacity", Double.NaN,
			"Opacity NaN is outside 0..1." } };
		for (Object[] c : cases) {
			Map<String, Object> inputs = new java.util.HashMap<>(Map.of("image", TestData.open(TestData.PARASITIZED), "model",
				TestData.MALARIA.toFile()));
			inputs.put((String) c[0], c[1]);
			ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> context
				.service(CommandService.class).run(SaliencyCommand.class, true, inputs).get(), c[0] + " = " + c[1]);
			String sentence = ExplainException.unexpected(e).getMessage();
			assertTrue(sentence.startsWith((String) c[2]) && sentence.lines().count() == 1, sentence);
		}
	}

	/** Runs one case through bin/explainj (and the command); returns the sentence. */
	private static String check(Case c, List<Path> watched) throws Exception {
		String[] args = c.args().stream().map(BadInputTest::expand).toArray(String[]::new);
		String before = hash(watched);
		ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
		int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
			StandardCharsets.UTF_8));
		String message = err.toString(StandardCharsets.UTF_8).strip();
		String what = c.name() + ": " + String.join(" ", args) + "\n" + message;
		assertEquals(1, code, what);
		assertEquals("", out.toString(StandardCharsets.UTF_8), what);
		assertEquals(1, message.lines().count(), what);
		assertTrue(message.startsWith("explainj: "), what);
		assertTrue(message.contains(c.expected()), what + "\n(expected to contain: " + c.expected() + ")");
		assertFalse(message.contains("failed unexpectedly") || message.contains("internal error"), what);
		assertEquals(before, hash(watched), "an input or output file changed: " + what);
		String sentence = message.substring("explainj: ".length());
		if (c.viaCommand()) {
			// the command's fields are typed: it passes -1.0 where the command line passed -1
			assertEquals(sentence.replaceAll("(\\d)\\.0\\b", "$1"), viaCommand(args).replaceAll("(\\d)\\.0\\b", "$1"),
				"the headless command says the same: " + c.name());
			assertEquals(before, hash(watched), "an input or output file changed: " + what);
		}
		return sentence;
	}

	/** Runs the explain case through its SciJava command, headless; returns the failure's sentence. */
	private static String viaCommand(String[] args) throws Exception {
		assertEquals("explain", args[0], "only explain cases have a command");
		Map<String, String> options = new LinkedHashMap<>();
		for (int i = 1; i + 1 < args.length; i += 2) options.put(args[i].substring(2), args[i + 1]);
		Class<? extends ExplainCommand> command = commandFor(options.remove("method"));
		Map<String, Object> inputs = new LinkedHashMap<>();
		ImagePlus image = IJ.openImage(options.remove("image"));
		assertNotNull(image, "the command's cases need an image that opens");
		Object[] pixels = pixels(image);
		inputs.put("image", image);
		inputs.put("model", new File(options.remove("model")));
		options.remove("out");
		options.remove("overlay");
		for (Map.Entry<String, String> o : options.entrySet()) {
			String field = o.getKey().equals("batch-size") ? "batchSize" : o.getKey();
			inputs.put(field, convert(command.getField(field), o.getValue()));
		}
		try {
			context.service(CommandService.class).run(command, true, inputs).get();
		}
		catch (ExecutionException e) {
			assertTrue(Arrays.deepEquals(pixels, pixels(image)), "the image's pixels changed");
			assertTrue(image.getOverlay() == null || image.getOverlay().size() == 0, "no heatmap on a failed run");
			return ExplainException.unexpected(e).getMessage();
		}
		return fail("the command did not fail: " + String.join(" ", args));
	}

	private static Object convert(Field field, String value) {
		Class<?> type = field.getType();
		if (type == int.class) return Integer.parseInt(value);
		if (type == double.class) return Double.parseDouble(value);
		return value;
	}

	/** The command of a method, found through plugins.config as the menus find it. */
	static Class<? extends ExplainCommand> commandFor(String method) throws Exception {
		for (String line : Files.readAllLines(Path.of("plugins.config"))) {
			int open = line.indexOf("(\"");
			if (line.startsWith("#") || open < 0) continue;
			Class<?> c = Class.forName(line.substring(open + 2, line.lastIndexOf("\")")));
			if (!ExplainCommand.class.isAssignableFrom(c)) continue;
			ExplainCommand instance = (ExplainCommand) c.getDeclaredConstructor().newInstance();
			if (instance.method().equals(method)) return c.asSubclass(ExplainCommand.class);
		}
		assertNotNull(Methods.byName(method));
		return fail("no command for " + method);
	}

	private static String expand(String arg) {
		String s = arg;
		for (Map.Entry<String, String> p : places.entrySet()) s = s.replace(p.getKey(), p.getValue());
		return s;
	}

	/** Copies of the pixel arrays of every slice. */
	private static Object[] pixels(ImagePlus imp) {
		Object[] copies = new Object[imp.getStackSize()];
		for (int i = 0; i < copies.length; i++) copies[i] = imp.getStack().getProcessor(i + 1).duplicate().getPixels();
		return copies;
	}

	/** Names and bytes of every file under the paths (links as their targets' names). */
	static String hash(List<Path> paths) throws Exception {
		MessageDigest md = MessageDigest.getInstance("SHA-256");
		for (Path root : paths) {
			try (Stream<Path> files = Files.walk(root)) {
				for (Path f : (Iterable<Path>) files.sorted()::iterator) {
					md.update(f.toString().getBytes(StandardCharsets.UTF_8));
					if (Files.isSymbolicLink(f)) md.update(Files.readSymbolicLink(f).toString().getBytes(StandardCharsets.UTF_8));
					if (Files.isRegularFile(f)) md.update(Files.readAllBytes(f));
				}
			}
		}
		return HexFormat.of().formatHex(md.digest());
	}

	private static String escape(String s) {
		return s.replace(tmp.toString(), "TMP").replace(Path.of("").toAbsolutePath() + File.separator, "").replace("|",
			"\\|");
	}

	/** Rewrites docs/bad-inputs.md when what ExplainJ says has changed. */
	private static void writeDoc(List<String> rows) {
		StringBuilder md = new StringBuilder();
		md.append("<!-- Generated by src/test/java/org/explainj/ij/BadInputTest.java from ").append(TABLE.toString()
			.replace(File.separatorChar, '/')).append(" and the messages ExplainJ gave; edit the table, not this file. -->\n");
		md.append("# Bad input: what ExplainJ says\n\n");
		md.append("Each case was run by the test suite through `bin/explainj` (exit code 1, this one line on stderr after\n");
		md.append("`explainj: `) and, where marked, through the headless SciJava command, which fails with the same\n");
		md.append("sentence. No input file changed and nothing was written. TMP is the test's temporary folder.\n\n");
		md.append("| case | front ends | message |\n|---|---|---|\n");
		rows.forEach(r -> md.append(r).append('\n'));
		try {
			if (!Files.exists(DOC) || !Files.readString(DOC).contentEquals(md)) Files.writeString(DOC, md);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}

package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.explainj.ExplainException;
import org.explainj.HeadlessCommands;
import org.explainj.TestData;
import org.explainj.cli.Main;
import org.explainj.job.JobOptions;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Declaration;
import org.explainj.methods.Kind;
import org.explainj.methods.Methods;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;

import ij.ImagePlus;
import ij.Macro;
import ij.measure.ResultsTable;

/**
 * Every front end's options are made from the declarations: the method's parameters and the common
 * options appear as script inputs, dialog fields (macro keys) and command-line options, with the kind,
 * default and choices declared; the menu is made from the methods.
 */
class DerivedOptionsTest {

	@RegisterExtension
	static final HeadlessCommands COMMANDS = new HeadlessCommands();

	/** The explain command's module for a method, its inputs made but not run, as the menu bridge makes it. */
	private static Module module(AttributionMethod m) {
		var context = COMMANDS.context();
		Module module = context.service(ModuleService.class).createModule(context.service(CommandService.class).getCommand(
			ExplainCommand.class));
		module.setInput("method", m.name());
		module.resolveInput("method");
		return module;
	}

	@Test
	void everyDeclaredOptionIsAScriptInputADialogFieldAndACommandLineOption() {
		for (AttributionMethod m : Methods.all()) {
			List<Declaration> declared = ExplainCommand.declarations(m);
			assertTrue(declared.containsAll(m.parameters()), m.name());
			Module module = module(m);
			List<String> macroKeys = new ArrayList<>();
			for (ModuleItem<?> field : CommandBridge.dialogItems(module)) macroKeys.add(Macro.trimKey(field.getLabel()));
			assertEquals(declared.stream().map(Declaration::name).toList(), macroKeys, m.name() + ": dialog fields");
			Set<String> cli = Main.explainOptions(m);
			for (Declaration d : declared) {
				ModuleItem<?> input = module.getInfo().getInput(d.name());
				assertNotNull(input, m.name() + " has no script input " + d.name());
				assertEquals(d.kind().type(), input.getType(), d.name());
				assertEquals(d.description(), input.getDescription(), d.name());
				assertEquals(d.kind().parse(d, d.defaultValue()), module.getInput(d.name()), d.name() + "'s default");
				if (!d.choices().isEmpty()) assertEquals(d.choices(), input.getChoices(), d.name());
				if (d.cliName() != null) assertTrue(cli.contains(d.cliName()), m.name() + ": no --" + d.cliName());
			}
			for (Declaration p : m.parameters()) assertTrue(cli.contains(p.name()), m.name() + ": no --" + p.name());
		}
	}

	/** A method's parameter named like a common option would shadow it in every front end. */
	@Test
	void noMethodParameterIsNamedLikeACommonOption() {
		Set<String> common = new HashSet<>();
		for (Declaration d : ExplainCommand.declarations(null)) assertTrue(common.add(d.name()), "twice: " + d.name());
		for (AttributionMethod m : Methods.all()) {
			for (Declaration p : m.parameters()) assertTrue(!common.contains(p.name()), m.name() + "'s " + p.name());
		}
	}

	@Test
	void smoothGradOffersEveryOtherMethodToWrap() {
		List<?> choices = module(Methods.byName("smoothgrad")).getInfo().getInput("of").getChoices();
		assertEquals(Methods.all().stream().map(AttributionMethod::name).filter(n -> !n.equals("smoothgrad")).sorted()
			.toList(), choices.stream().map(Object::toString).sorted().toList());
	}

	/**
	 * One parser per kind: each reads its own text back to a value of its type, and refuses a word where
	 * its kind wants something else with one sentence. A new kind fails here until it has a case.
	 */
	@Test
	void eachKindHasOneParserThatReadsWhatItWrites() {
		Map<Kind, Object[]> cases = Map.of(Kind.WHOLE, new Object[] { 64, "many" }, Kind.NUMBER, new Object[] { 0.015,
			"tiny" }, Kind.CHOICE, new Object[] { "riemann", null }, Kind.TEXT, new Object[] { "conv2d_1/Relu", null },
			Kind.FLAG, new Object[] { true, "maybe" }, Kind.FILE, new Object[] { new File("/models/m.pb"), null });
		for (Kind kind : Kind.values()) {
			Object[] c = cases.get(kind);
			assertNotNull(c, "no case for the kind " + kind);
			Object parsed = kind.parse("x", "x=1", kind.format(c[0]));
			assertEquals(c[0], parsed, kind.toString());
			assertTrue(kind.type().isInstance(parsed), kind.toString());
			if (c[1] != null) {
				ExplainException e = assertThrows(ExplainException.class, () -> kind.parse("x", "x=1", (String) c[1]));
				assertEquals("'x' must be " + kind.describe() + ", not '" + c[1] + "'. For example x=1.", e.getMessage());
			}
		}
		assertEquals("64", Kind.WHOLE.format(64.0), "a whole number given as a double");
		assertThrows(ExplainException.class, () -> Kind.WHOLE.parse("steps", "steps=50", Kind.WHOLE.format(2.5)));
	}

	/** The declared range is checked for the common options too, by the one range checker. */
	@Test
	void aCommonOptionOutsideItsRangeIsOneSentence() {
		Declaration batch = JobOptions.ALL.stream().filter(o -> o.name().equals("batch")).findFirst().orElseThrow();
		ExplainException e = assertThrows(ExplainException.class, () -> batch.parse("saliency", "0"));
		assertEquals("saliency: 'batch' must be at least 1, not 0. For example batch=32.", e.getMessage());
	}

	@Test
	void aChoiceIsReadWhateverItsCase() {
		Declaration geometry = JobOptions.ALL.stream().filter(o -> o.name().equals("geometry")).findFirst().orElseThrow();
		assertEquals("tile", geometry.parse("saliency", "TILE"));
		assertEquals("roi", geometry.parse("saliency", " Roi "));
		assertThrows(ExplainException.class, () -> geometry.parse("saliency", "grid"));
	}

	/**
	 * A script may name the method after its parameters: SciJava then keeps the value (warning that the
	 * input was not known yet) and the method's input picks it up.
	 */
	@Test
	void aParameterGivenBeforeTheMethodIsUsed() throws Exception {
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		Module module = COMMANDS.run(ExplainCommand.class, true, "image", cell, "model", TestData.MALARIA.toFile(), "steps",
			3, "map", false, "method", "integrated-gradients").get();
		ResultsTable table = ((ExplainCommand) module.getDelegateObject()).results;
		assertEquals("3", table.getStringValue("steps", table.size() - 1));
		assertEquals(null, module.getOutput("map"), "map=false: no map image");
	}

	@Test
	void eachMethodRemembersItsOwnDialogValues() {
		Set<String> prefixes = new HashSet<>();
		for (AttributionMethod m : Methods.all()) prefixes.add(CommandBridge.prefsPrefix(m.name()));
		for (String[] other : MenuEntries.OTHER) prefixes.add(CommandBridge.prefsPrefix(other[1]));
		assertEquals(Methods.all().size() + MenuEntries.OTHER.size(), prefixes.size());
		assertNotEquals(CommandBridge.prefsPrefix("integrated-gradients"), CommandBridge.prefsPrefix(EvaluateCommand.class
			.getName()));
	}

	/** plugins.config is a file in the jar, written by the build from the methods: one entry per method. */
	@Test
	void theMenuIsMadeFromTheMethods() throws Exception {
		String menu = Files.readString(TestData.MENU);
		assertEquals(MenuEntries.pluginsConfig(), menu, "the build did not write plugins.config (mvn process-classes)");
		List<String> entries = menu.lines().filter(l -> l.startsWith("Plugins>ExplainJ, ")).toList();
		assertEquals(Methods.all().size() + MenuEntries.OTHER.size(), entries.size());
		for (AttributionMethod m : Methods.all()) assertTrue(entries.contains("Plugins>ExplainJ, \"" + m.title() +
			"...\", org.explainj.ij.CommandBridge(\"method=" + m.name() + "\")"), m.name());
	}
}

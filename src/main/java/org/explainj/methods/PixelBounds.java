package org.explainj.methods;

import org.explainj.backward.ZBoxRule;

/** The z-box rule's pixel bounds as method parameters: numbers, or "auto" for each image's own range. */
final class PixelBounds {

	static final MethodParameter LOW = new MethodParameter("low", "auto",
		"lowest pixel value for z-box (auto = the image's minimum)").within(MethodParameter.Range.anyNumber().orWords("auto"));
	static final MethodParameter HIGH = new MethodParameter("high", "auto",
		"highest pixel value for z-box (auto = the image's maximum)").within(MethodParameter.Range.anyNumber().orWords("auto"));

	private PixelBounds() {}

	static ZBoxRule zBox(MethodSettings s) {
		boolean auto = s.string("low").equals("auto"), autoHigh = s.string("high").equals("auto");
		if (auto != autoHigh) throw new org.explainj.ExplainException("Give both low and high, or neither.",
			"For unit-scaled images: low=0 high=1.");
		return auto ? ZBoxRule.dataRange() : new ZBoxRule(s.number("low"), s.number("high"));
	}
}

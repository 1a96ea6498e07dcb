"""Read a question before searching it: its mode, the role it is asked for, the facets it names, its topic.

Persona and framing words ("I'm a health visitor in Leeds", "what should I learn from these reviews",
"any cases where") are taken out of the topic, so that they never drive retrieval.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.answer.conversation import age_bands_named
from assistant.answer.roles import ROLE_NAMES, role_label
from assistant.ingest.facets import AGE_BANDS, REVIEW_MODELS, age_band

MODES = ("find", "role", "theme", "count", "overview", "case-detail", "followup")
BREAKDOWNS = ("year", "age", "theme", "model", "area", "harm", "cause", "sex")

_COUNT_RE = re.compile(
    r"\bhow many\b|\bnumber of\b|\bhow often\b|\bwhat (?:proportion|percentage|share|fraction)\b|\bcount\b"
    r"|\bhow common\b",
    re.I,
)
# "how many reviews ...", "number of cases ...": a count of the collection, not of staff or doses
_COUNTABLE_RE = re.compile(
    r"\b(?:how many|number of|how often|proportion|percentage|share|fraction|count|how common)\b(?:\s+\w+){0,3}?\s*"
    r"\b(?:reviews?|scrs?|csprs?|cases?|reports?|children|kids|babies|infants|teenagers|young people|families|"
    r"of (?:them|these|those|"
    r"the)|times|deaths|welsh|national|local)\b|\bhow (?:often|common)\b",
    re.I,
)
_WHOLE_RE = re.compile(
    r"\b(?:rundown|run-down|overview|summary) of (?:what'?s in |the )?(?:this|the) (?:collection|library|reviews)\b|"
    r"\bwhat'?s in (?:this|the) (?:collection|library)\b|\bacross (?:all )?(?:the|these) reviews\b|"
    r"\bwhat (?:this|the) (?:collection|library) (?:covers|holds|has|contains)\b|"
    r"\b(?:top|main|most common) (?:recurring )?themes\b",
    re.I,
)
_RECURRING_ONLY_RE = re.compile(r"\brecurr\w*|\bkeep(?:s)? (?:coming|cropping) up\b|\bcommon threads?\b", re.I)
_COUNTING_CUE_RE = re.compile(
    r"\bmost (?:common|often|frequent)|\bwhich (?:themes|issues)\b|\btop\b|\bper year\b|\bby (?:year|age|area)\b|"
    r"\bacross (?:all )?(?:the|these) reviews\b|\bmain themes\b",
    re.I,
)
_OVERVIEW_RE = re.compile(
    r"\bmost (?:common\w*|often|frequent\w*|usual)\b|\bcomes? up (?:the )?most\b|\bcome up most\b|\bmain (?:themes"
    r"|issues)\b"
    r"|\btop (?:\d+ |five |three |ten )?(?:themes|issues|reasons)\b|\bwhich (?:themes|issues)\b|\brecurr\w*\b"
    r"|\bkeep (?:coming|cropping) up\b|\bper year\b|\bby year\b|\beach year\b|\bover (?:time|the years)\b|\btrends?\b"
    r"|\brecent years\b|\b(?:increas|decreas)\w* (?:in|over|since)\b"
    r"|\bha(?:s|ve) (?:\w+ ){0,6}changed\b(?! (?:their|his|her|its|my|our|your) minds?\b)"
    r"|\bchanged since\b|\bbreak(?:s)? ?(?:it |them |that )?down\b|\bbreakdown\b"
    r"|\bby age\b|\bage groups?\b|\bcompared? (?:to|with)\b|\bmore (?:\w+ ){0,3}(?:now|recently|than before)\b"
    r"|\bcom(?:e|es|ing) up more\b|\bmore (?:often )?in recent\b|\brecent reviews\b"
    r"|\b(?:used|get used|happen\w*|seen|appear\w*|feature\w*) (?:the )?most\b|\bthe most (?:reviews|cases)\b"
    r"|\bbroken down\b"
    r"|\bwhat ages?\b|\bhow old\b|\bwhich (?:areas|places|councils|local authorities|partnerships|review methods"
    r"|methods)\b",
    re.I,
)
_YEAR_BREAKDOWN_RE = re.compile(
    r"\bper year\b|\bby year\b|\beach year\b|\bover (?:time|the years)\b|\btrends?\b|\brecent years\b|\bincreas"
    r"|\bdecreas"
    r"|\bchanged\b|\bcom(?:e|es|ing) up more\b|\brecent reviews\b|\bsince (?:19|20)\d\d\b|\bmore (?:\w+ ){0,3}(?:now"
    r"|recently|than before)\b|\byear by year\b",
    re.I,
)
_AGE_BREAKDOWN_RE = re.compile(
    r"\bby (?:the )?age\b|\bage groups?\b|\bages? of the (?:child|kid)|\bwhat ages?\b|\bhow old\b", re.I
)
_BOY = r"(?:(?:teenage |young |little )?(?:boys?|lads?|males?|sons?))"
_GIRL = r"(?:(?:teenage |young |little )?(?:girls?|females?|daughters?))"
_VERSUS = r"\s+(?:and|vs\.?|versus|or|v|compared (?:with|to))\s+(?:the )?"
# "teenage boys and teenage girls", "by gender": the child's sex is the table's rows
_SEX_BREAKDOWN_RE = re.compile(
    rf"\b{_BOY}{_VERSUS}{_GIRL}\b|\b{_GIRL}{_VERSUS}{_BOY}\b"
    r"|\bby (?:sex|gender)\b|\b(?:sex|gender) (?:split|difference)",
    re.I,
)
_DIFFERENCE_RE = re.compile(r"\b(?:differen\w*|happens? to|pattern\w*|compare\w*|themes?|issues?)\b", re.I)
_SEX_ASKED_RE = re.compile(
    r"\b(?:differen\w*|compare\w*|versus|vs|split|more (?:often|likely|common)|by (?:sex|gender))\b", re.I
)
# "... and what the main issues are for each group": the main themes of each row of a breakdown (both cues needed;
# only the cue words leave the topic, so "main factors linked to neglect in each group" keeps "linked to neglect")
_ROW_THEME_WORDS_RE = re.compile(
    r"\b(?:(?:main|key|common|biggest|top) )?(?:issues?|themes?|problems?|concerns?|factors?)\b", re.I
)
_EACH_ROW_RE = re.compile(
    r"\b(?:for|in|of|within|across|per) (?:each|every|the different) ?(?:groups?|bands?|ages?|years?|ones?)?\b"
    r"|\b(?:per|by) (?:group|age group|band)\b",
    re.I,
)
# a breakdown by age names its rows ("babies, toddlers, primary age, teenagers"): they are not the topic
_AGE_ROW_WORDS_RE = re.compile(
    r"\b(?:bab(?:y|ies)|infants?|toddlers?|pre-?school(?:ers)?|primary(?! care)(?: school)?(?: age(?:d)?)?|"
    r"secondary(?: school)?(?: age(?:d)?)?|teen\w*|adolescen\w*|young (?:people|person)|under[- ]?(?:1|one)s?|"
    r"school[- ]age|child(?:ren)?(?! protection)(?!'s)|kids?|each|every|groups?|bands?|ages?)\b",
    re.I,
)
_PARENT_AGE_RE = re.compile(
    r"\b(?:young|teen\w*|under-?age) (?:or \w+ )?(?:parents?|mothers?|mums?|fathers?|dads?)\b", re.I
)
_AREA_BREAKDOWN_RE = re.compile(
    r"\bwhich (?:areas|places|councils|local authorities|authorities|partnerships|regions)\b|\b(?:by|per|each) "
    r"(?:area|council|local authority|partnership|region)\b|\bwhere (?:are|were) (?:the )?(?:most )?reviews\b",
    re.I,
)
# "how did the babies die", "causes of death": the reviews where a child died, by how the child died
_CAUSE_BREAKDOWN_RE = re.compile(
    r"\bhow (?:did|do|were|have) (?:the |these |those |they |all )?(?:[\w'-]+ ){0,3}(?:die|died|killed)\b"
    r"|\bcauses? of (?:the |their |his |her )?deaths?\b"
    # "when the cause of death is never pinned down": reviews where it is unknown, not a breakdown by cause
    r"(?! (?:is|was|were|are|remains?|remained|stays?|stayed) (?:never|not|unknown|unclear|undetermined|uncertain))"
    r"|\bwhat (?:did|do) (?:the |these |they )?(?:[\w'-]+ )?die (?:of|from)\b"
    r"|\bhow (?!many\b|much\b|often\b|common\b)(?:the )?(?:[\w'-]+ ){0,3}died\b"
    r"|\bwhat (?:killed|caused the deaths? of)\b",
    re.I,
)
_CAUSE_WORDS_RE = re.compile(
    r"\b(?:how|why|what|did|do|were|have|they|caused?|causes|of|from|the|their|die|died|dies|deaths?|killed)\b", re.I
)
_HARM_BREAKDOWN_RE = re.compile(
    r"\b(?:by|per|each|every|into) (?:type|kind|form|sort)s? of (?:harm|abuse|maltreatment)\b|\b(?:by|per) harm\b"
    r"|\b(?:which|what) (?:types?|kinds?|forms?|sorts?) of (?:harm|abuse|maltreatment)\b"
    r"|\b(?:types?|kinds?|forms?) of (?:harm|abuse|maltreatment)\b.{0,60}\bhow many\b",
    re.I,
)
# the harms a harm breakdown lists ("neglect, physical abuse, sexual abuse, exploitation, suicide"): rows, not a topic
_HARM_WORDS_RE = re.compile(
    r"\b(?:neglect\w*|(?:physical|sexual|emotional) (?:abuse|harm)|(?:sexual |criminal )?exploitation|suicides?"
    r"|self[- ]harm|deaths?|injur(?:y|ies)|abuse|harm|types?|kinds?|forms?|roughly|approximately|about|each|of)\b",
    re.I,
)
_MODEL_BREAKDOWN_RE = re.compile(
    r"\bby (?:review )?(?:model|method)\b|\bwhich (?:review )?(?:models?|methods?|approach\w*)\b|\bmethodolog", re.I
)
# "which comes up most: domestic abuse, parents' drinking or parents' mental health?", "is neglect more common than
# domestic abuse": the themes named are compared with each other (their counts are the table's rows)
_COMPARE_RE = re.compile(
    r"\bwhich (?:one|of (?:these|them|those|the (?:two|three|four|five)))?\s*(?:\w+ )?(?:comes?|is|are|appears?"
    r"|features?|crops?|shows?|turns?)\b[^?]{0,40}\b(?:most|more|commonest|often)\b"
    r"|\bwhich is (?:more|most|the most) (?:common|frequent)\b|\bmore (?:common|frequent|often) than\b"
    r"|\brank(?:ing|ed)?\b|\bvs\.?\s|\bversus\b",
    re.I,
)
_DIED_RE = re.compile(r"\b(?:died|die|death|deaths|killed|fatal)\b", re.I)
_HARMED_RE = re.compile(r"\b(?:seriously (?:harmed|hurt|injured)|serious (?:harm|injur\w*)|survived|non-fatal)\b", re.I)
_SPLIT_RE = re.compile(r"\b(?:split|proportion|share|versus|vs\.?|compared? (?:with|to)|against)\b", re.I)
_SPLIT_FILLER = frozenset({"one", "but", "who", "was", "were", "child", "children", "kids", "rough", "roughly"})
# a persona clause running up to a place: "i'm a health visitor in", "we work across", "based in"
_PERSONA_BEFORE_RE = re.compile(
    r"\b(?:i'?m|i am|im|i work|we work|we['\u2019]re|we are|i'?ve worked|working|based)\b[^.?!;:]*$", re.I
)
# "split local vs national", "local and national": both kinds counted, each as a row
_BOTH_SCOPES_RE = re.compile(
    r"(?:\b(?:split|broken down|break(?:ing)? (?:it )?down|divided)(?: (?:it |them ))?(?: by| into| between)? )?"
    r"(?:\blocal (?:and|vs\.?|versus|v|or|against|compared with) (?:the )?national"
    r"|\bnational (?:and|vs\.?|versus|v|or|against|compared with) (?:the )?local|\bboth local and national)\b"
    r"(?: (?:panel|reviews?|reports?|ones))*(?: if you can)?",
    re.I,
)
_LIST_RE = re.compile(r"\w,\s*\w|\s(?:or|and|vs\.?|versus|than)\s", re.I)
_THEME_BREAKDOWN_RE = re.compile(
    r"\bmost (?:common\w*|often|frequent\w*)\b|\bcomes? up\b|\bmain (?:themes|issues)\b|\btop\b|\bwhich (?:themes"
    r"|issues)\b"
    r"|\brecurr|\bkeep (?:coming|cropping) up\b|\bused most\b",
    re.I,
)
_LEARNING_RE = re.compile(
    r"\b(?:lessons?|learn(?:ing|t|ed)?(?!\s+(?:disabilit|difficult))|recommend\w*|barriers?|enablers?|themes?"
    r"|what should|what can|what stops|what helps|what (?:do|does) (?:the |these )?reviews? (?:say|tell)|why|"
    r"what (?:keeps|kept) (?:going|coming)|messages?|take ?aways?|takeaway|implications|do differently|"
    r"common threads?|patterns?|in common|"
    r"what (?:went|goes) wrong|keeps? (?:missing|getting missed|going wrong)|how (?:can|should|do|does))\b",
    re.I,
)
_LENS_CUE_RE = re.compile(
    r"\b(?:learn\w*|lessons?|should|need(?:s)? to|take (?:from|away)|takeaways?|messages?|do differently|implications?|"
    r"relevant|know|for (?:my|our) (?:practice|team|role|service)|what (?:do|does|can|could|must) .{0,40}\b(?:do"
    r"|know)\b|"
    r"advice|tips?|what (?:did|do) .{0,30}miss|get(?:ting)? (?:it )?wrong|keep (?:getting|missing))\b",
    re.I,
)
_FIND_RE = re.compile(
    r"\b(?:any|are there|were there|is there|show me|find|list|examples? of)\b.{0,25}\b(?:cases?|reviews?|examples?|"
    r"families|children|babies|where|when|in which)\b"
    # "I work in adult mental health - reviews where a parent ...": the cases asked for after a persona
    r"|(?:^|[-\u2013:;,.?!]\s)\s*(?:cases?|reviews?|examples?) (?:of|where|involving|about|with|in which)\b",
    re.I,
)
_PERSONA_RE = re.compile(
    r"(?:\b(?:i'?m|i am|im|we(?:'re| are)|i work as|i'?ve been) (?:(?:a|an|the)\b)?|\b(?:as|being) (?:a|an|the)\b)\s*"
    r"(?:newly qualified |new |senior |student |trainee |qualified |community |specialist |named |designated )?",
    re.I,
)
_OBJECT_BEFORE = re.compile(
    r"\b(?:to|into|from|missed|missing|attend\w*|left|leaving|out of|off|excluded from|admitted to|taken to|"
    r"went to|go to|goes to|back to|the)\s+(?:the\s+|a\s+|her\s+|his\s+|their\s+)?$",
    re.I,
)
_INTRO_RE = re.compile(r"^\s*(?:[\w&'/-]+\s){0,6}[\w&'/-]+\s*[-–:,.]\s")
_HERE_RE = re.compile(r"^\s*(?:[\w&'-]+\s){0,3}here\b", re.I)  # "paeds reg here - ..."
_ANONYMOUS_REVIEWS_RE = re.compile(
    r"\banonymous (?:reviews?|ones|cases|csprs?|scrs?|local)\b|\b(?:reviews?|ones|cases|are|were|is|was)\s+(?:\w+\s+)?"
    r"anonymous\b",
    re.I,
)
# "missing persons coordinator in the police.", "i work for the council": the asker's own service, in their opening
_IN_SERVICE_RE = re.compile(r"^[^.?!;]{0,60}\b(?:in|for|with|at) the $", re.I)
PERSONA_REACH = 45  # a role named this many characters after "i'm a" / "i work in" is the asker's own
# "abusing", "attacked": an opening that tells a story, not who is asking ("safeguarding lead", "named nurse": titles)
_STORY_VERB_RE = re.compile(
    r"\b(?!(?:safeguarding|offending|working|nursing|visiting|training|leading|teaching|named|designated|qualified"
    r"|missing|housing|based|registered|specialised|specialized|advanced|dedicated|integrated|looked|disabled)\b)"
    r"\w{3,}(?:ing|ed)\b",
    re.I,
)
_WORK_IN_RE = re.compile(r"\bi (?:work|am based|'m based) (?:in|at|for|on|with)\b", re.I)

# Framing to take out of the topic, tried in order; each match is removed.
# "has the learning changed over the years", "how the learning has developed from the earliest reviews to the latest"
_LEARNING_TREND_RE = re.compile(
    r"\b(?:learning|lessons?|messages?|recommendations?|thinking|advice|findings)\b.{0,80}\b(?:changed|developed"
    r"|evolved|moved on)\b|\bsame (?:old )?(?:message|lessons?)\b|\bfrom the (?:earliest|oldest|old|first)\b.{0,40}"
    r"\bto (?:the )?(?:latest|newest|now|recent|most recent)\b",
    re.I,
)
_FRAMING = [
    r"(?:[,;]|\s-)?\s*\bwhat about\b",  # "as a midwife seeing young mums, what about concealed pregnancy"
    # "what did that one say about", "does the second review mention": a follow-up's asking of one review
    r"^\s*(?:and |so |ok,? )?(?:what |how )?(?:did|does|do|has|have)\s+(?:it|they|that|this|the)"
    r"(?:\s+(?:first|second|third|last|other|same))?(?:\s+(?:one|review|case|report))?\s+(?:actually |ever )?"
    r"(?:say|said|mention|recommend|find|suggest|conclude|learn)\w*(?:\s+(?:anything|much))?"
    r"\s+(?:about|on|for|regarding|around|concerning)\b",
    # "... has developed from the earliest reviews to the latest", "or is it the same message": the asking for a trend
    r"\b(?:has|have) (?:actually |really )?(?:changed|developed|evolved|moved on)\b|\bactually changed\b"
    r"|\bfrom the (?:earliest|oldest|old|first)(?: \w+){0,3} to (?:the )?(?:latest|newest|now|most recent|recent)"
    r"(?: ones?| reviews?| scrs?)?\b|\b(?:or )?is it (?:just )?the same (?:old )?(?:message|thing|lessons?)\b"
    r"|\bboard paper (?:on|about)\b|\b(?:can you )?show (?:me |us )?how\b",
    # "what do GPs keep getting wrong or should do differently", "what learning is there for them": the asking
    r"\b(?:keep|keeps|kept) (?:getting|get|got) (?:it )?wrong\b|\b(?:get|gets|got|getting) (?:it )?wrong\b"
    r"|\b(?:or )?(?:should|could|need to|must) (?:be )?do(?:ing)? (?:differently|better)\b|\bdo differently\b",
    r"\bwhat (?:learning|lessons?|messages?) (?:is|are) there(?: for (?:them|us|me|\w+))?\b",
    # "what should I be taking from these reviews", "what can we take away": the asking, not the topic
    r"\b(?:be )?(?:(?:tak(?:e|ing)|took)(?: away)?|get(?:ting)?|draw(?:ing)?|learn(?:ing)?) (?:from|out of)"
    r"(?= (?:these|the|this|our|those|all the) (?:reviews?|cases?|collection|reports?)\b)",
    r"\b(?:which (?:one|ones|of (?:them|those|these))|any of (?:them|those|these)|(?:of|from) (?:those|these|them)"
    r"|just the "
    r"ones|only the ones|the ones|(?:were|are|was|is|did|do|does|have|had|has) any (?:of )?(?:them|those|these|one)?)\b"
    r"(?: (?:where|that|when|with|in which|who))?",
    r"\b(?:did|does|do) (?:it|that|this|they|the review) (?:say|said|mention|talk|cover|find)(?: anything)?"
    r"(?: about| on)?",
    r"\b(?:say|said|says|mention|mentions|talk|talks|cover|covers)\s+(?:anything|something|much)\s*(?:about|on"
    r"|regarding)?"
    r"|\banything (?:about|on|regarding)\b",
    r"^\s*(?:hi|hello|hey|ok|okay|please|quick question)\b[\s,!.:-]*",
    r"\b(?:putting together|running|doing|planning|preparing|delivering|writing) (?:a |an |some )?(?:training "
    r"|teaching "
    r"|team |staff |learning |development )?(?:session|briefing|workshop|course|presentation|training|talk)s?"
    r"(?: for [^-–:,.?]{1,40}?)?(?: on| about| around| covering)?(?=\s|$)",
    r"\bwhat(?:'s|s| is| are) the (?:key |main )?(?:lessons?|learning|messages?|takeaways?)\b(?: for \w+)?"
    r"(?: (?:about|on|around|from|regarding))?",
    r"\b(?:specifically|particularly|especially|in particular|basically|actually|really)\b|\bour (?:part"
    r"|role) in (?:things|it|this)\b",
    r"\b(?:recurring|common|repeated|main|key) (?:problems?|issues?|threads?|themes?|patterns?|failings?)"
    r"(?: (?:in|across|with|around|when|about|for|of))?(?: (?:the|these|all the) reviews?)?(?: (?:where|when"
    r"|in which))?\b",
    r"\bwhat (?:keeps|kept) (?:going|coming) (?:wrong|up)(?: with| in| for| around| when)?\b"
    r"|\bwhat (?:went|goes|has gone) wrong(?: with| in| for| around| when)?\b",
    r"\bwhat (?:did|do|does|have|has) (?:\w+ ){0,2}(?:miss|missed|get wrong|got wrong|overlook|overlooked)\b"
    r"(?: with| in| about| when| around)?",
    r"\b(?:need|needs|have|has) to (?:take|know|learn|understand|do)(?: away)?(?: from (?:these|this|them"
    r"|the reviews?))?\b",
    r"\btake (?:away )?from (?:these|this|them|the reviews?)\b",
    # "tired of only reading about what went wrong", "wasnt there a review about ...": asides and asking
    r"[,.;:-]?\s*\b(?:i'?m |im )?(?:tired|sick|fed up|bored) of (?:only |just )?(?:reading|hearing|seeing)\b.*$",
    r"\b(?:wasn'?t|was|isn'?t|is) there (?:a|one|any|that) (?:serious case |case )?(?:reviews?|cases?|one)?"
    r"(?: (?:about|where|on|with|in which))?\b",
    # "what should workers take from reviews where ...": the asking, whoever is asked about
    r"\bwhat (?:should|do|does|can|could|must|would) (?:\w+ ){0,2}(?:take|learn|know|draw)(?: away)?"
    r"(?: from)?(?: (?:these|the|all the))?(?: (?:reviews?|cases?))?(?: (?:where|when|in which|about|on))?\b",
    r"\b(?:should|could|would) have (?:done|acted|done things) differently\b|\b(?:said|say|says|found"
    r"|find) \x00?\s*(?=should)"
    r"|\brelevant (?:to|for)\b|\b(?:what should|should) (?:\w+ )?(?:be )?(?:doing|do) differently\b"
    r"|\baccording to (?:these|the"
    r"|this) (?:reviews?|cases?)\b"
    r"|\bbe doing differently\b",
    r"\b(?:i'?m|i am|im) (?:running|doing|putting together|planning|preparing|writing|delivering) (?:a |an |some )?"
    r"(?:training |teaching |team |staff |learning |development )?(?:session|briefing|workshop|course|presentation|"
    r"training|talk|slides?)\w*(?: for [\w\s'-]{1,40}?)?\s+(?:on|about|around|covering)\b",
    r"\b(?:can|could|would) you\b|\bplease\b|\bi(?:'d| would) like to know\b|\bi want to know\b|\bi need to know\b"
    r"|\bi(?:'m| am) (?:interested in|looking for|after|trying to find)\b|\btell me\b|\bshow me\b|\bgive me\b"
    r"|\bfind me\b"
    r"|\bhelp me\b|\bis there anything\b|\bdo you have\b|\bdo we have\b",
    r"\bwhat (?:should|can|could|do|must|would) (?:i|we|they|staff|people|practitioners|professionals)?\s*"
    r"(?:learn|know|take|take away|understand|do differently|be aware of|look out for|watch out for|think about)\b"
    r"(?: from (?:these|the|this|our|those) (?:reviews?|cases?|collection|reports?))?(?: about| on| around| re"
    r"| regarding)?\b",
    r"\bwhat (?:do|does|did|can|have|has) (?:these|the|this|our|those)? ?(?:serious case |case "
    r"|practice )?(?:reviews?|cases?"
    r"|reports?|"
    r"collection) (?:say|tell us|teach us|show|found|find|have to say|recommend|picked up|flagged|highlighted|shown"
    r"|said)\b(?: about| on| around| regarding)?",
    r"\b(?:what|which) (?:are|were) the (?:key |main )?(?:lessons?|learning|messages?|takeaways?|points?)"
    r"(?: (?:learned|learnt|for \w+(?: \w+)?))?(?: (?:about|on|around|from|regarding))?",
    r"\b(?:key |main )?(?:safeguarding |practice )?(?:lessons?|learning|messages?|takeaways?|learning points?) "
    r"(?:learned |learnt )?"
    r"(?:for|about|on|around|regarding|from (?=(?:these|the|this|those|our) (?:reviews?|cases?)))\b",
    r"\b(?:are|were|is) there (?:any )?(?:serious case |case |practice )?(?:reviews?|cases?|examples?|reports?)?\s*"
    r"(?:where|of|about|involving|with|in which|on|that (?:involve|mention|show|cover)\w*|when)?",
    r"\bany (?:serious case |case )?(?:reviews?|cases?|examples?)\s*(?:where|of|about|involving|with|in which|on"
    r"|that)?",
    r"\b(?:serious case |case |practice )?(?:reviews?|cases?|examples?|reports?) (?:involving|about|of|where|with"
    r"|in which|"
    r"on|that (?:involve|involved|mention|mentioned|show|cover|looked at)\w*|looking at|mentioning|covering|when)\b",
    r"\bhow many (?:of (?:the|these) )?(?:serious case |case )?(?:reviews?|cases?|reports?|children|kids|families)?\s*"
    r"(?:(?:are|were|is) (?:there )?(?:about|on|involving|linked to|to do with|related to)?|involve\w*|mention\w*|"
    r"(?:have|had|has|feature\w*|includ\w*|concern\w*|show\w*|cover\w*|relate\w* to|name\w*|talk about|deal with|"
    r"look at|where)\b)?",
    r"\b(?:the )?number of (?:serious case |case )?(?:reviews?|cases?|reports?)\s*(?:about|on|involving|with|where|"
    r"mentioning|that)?",
    r"\bwhat (?:comes?|came) up (?:the )?most (?:often )?(?:in|for|with|when|across)?\b|\bmost common (?:themes?"
    r"|issues?|"
    r"factors?|things?)?(?: in| for| across| with)?|\bwhat are the (?:main|top|most common) (?:themes?|issues?|"
    r"factors?)(?: in| for| across| with)?|\b(?:which|what) (?:themes?|issues?) (?:come|keep coming|crop) up"
    r"(?: the)?(?: most)?(?: often)?(?: in| for| across| with)?",
    r"\b(?:per|by|each) year\b|\bover (?:time|the years)\b|\bin recent years\b|\brecently\b|\bbreak(?:ing)? (?:it "
    r"|them |that )?"
    r"down\b(?: by (?:age|year|theme))?|\bbreakdown\b(?: by (?:age|year|theme))?|\bby age(?: group)?\b|\bhas (?:this"
    r"|that|it)? ?"
    r"changed\b|\bchanged\b|\bare there more\b|\bmore common\b|\bgetting more common\b",
    r"\b(?:in|across|from) (?:these|the|this|our|those|all the) (?:reviews?|cases?|collection|reports?)\b",
    r"\b(?:from|in) (?:these|the|this|them|those)\b\s*$",
    r"\b(?:the|these|those|any|all|our) (?:serious case |case )?(?:reviews?|cases|reports)\b(?! themselves)|\bthese\b"
    r"|^\s*(?:reviews?|cases)\b"
    r"|(?<!case )(?<!practice )(?<!safeguarding )\b(?:reviews?|cases)\s*$",
]
_FRAMING_RES = [re.compile(p, re.I) for p in _FRAMING]
_LEADING_VERBS_RE = re.compile(
    r"^\s*(?:(?:more|fewer|any|mention(?:s|ed|ing)?|involv(?:e|es|ed|ing)|featur(?:e|es|ed|ing)|about|with|of|on|"
    r"where|that|which|to do with|related to|linked to|concerning|regarding)\s+)+",
    re.I,
)
_YEAR_RANGE_RE = re.compile(
    r"\b(?:between|from) ((?:19|20)\d\d) (?:and|to|-) ((?:19|20)\d\d)\b|\b((?:19|20)\d\d) ?[-–] ?((?:19|20)\d\d)\b"
)
_SINCE_RE = re.compile(
    r"\b(?:since|after|onwards from) ((?:19|20)\d\d)\b(?! (?:and|to))"
    r"|\bfrom ((?:19|20)\d\d) (?:to|until|till|up to) (?:now|today|the present(?: day)?|date|present)\b"
    r"|\b((?:19|20)\d\d) (?:to|until|till) (?:now|today|the present(?: day)?|date)\b"
    r"|\bfrom ((?:19|20)\d\d) (?:onwards?\b|on(?=\s*(?:[?.!,;]|$)))",  # "from 2019 on neglect" is 2019 itself
    re.I,
)
_BEFORE_RE = re.compile(r"\b(?:before|prior to) ((?:19|20)\d\d)\b", re.I)
_UNTIL_RE = re.compile(r"\b(?:until|up to|up until|no later than) ((?:19|20)\d\d)\b", re.I)
_IN_YEAR_RE = re.compile(r"\b(?:in|during|published in|from) ((?:19|20)\d\d)\b", re.I)
_YEAR_NOUN_RE = re.compile(  # "the 2023 reviews": the year only, so taking it out of the topic leaves "reviews"
    r"\b((?:19|20)\d\d)(?:'s)?(?= (?:serious case |case |local |national )?(?:reviews?|cases?|reports?)\b)", re.I
)
_MODEL_RE = {key: pattern for key, (_, pattern) in REVIEW_MODELS.items() if key != "systems"}
_STOP = frozenset(
    "a an the of in on at to for from by with about and or any some all what which who whom how is are was were be "
    "been do does did i me my we our us you your they them their it its this that these those there here s ve ll d "
    "m re so just really also please thanks thank than then have has had can could should would will shall may might "
    "must get got tell show give find know want need like look looking kind sort anything something things thing "
    "staff practitioners professionals people many".split()
)


_ASKING_ONLY = frozenset(
    {"lesson", "lessons", "learning", "takeaways", "messages", "key", "scr", "scrs"}
    | {
        "recommendations",
        "recommendation",
        "common",
        "commonest",
        "most",
        "main",
        "top",
        "frequent",
        "usual",
        "typical",
    }
)
_OVERVIEW_WORDS_RE = re.compile(
    r"\b(?:main|top|most|common(?:est)?|themes?|issues?|topics?|areas?|places?|councils?|local authorit(?:y|ies)|"
    r"partnerships?|regions?|methods?|models?|methodolog\w*|approach\w*|ages?|age groups?|years?|etc|used|get|"
    r"come up|comes up|coming up|recurring|recur\w*|under (?:one|1|a year)|aged|old|broken down|break(?:ing)? down|"
    r"more|recent|recently|lately|now|changed?|over time|rundown|run-down|overview|summary|collection|library|quick|"
    r"need|board paper|paper|report|all|covers?|holds?|contains?|compared? (?:to|with)"
    r"|came out|published|released|local|ones|often|frequently|mention(?:s|ed)?|come up|comes up"
    r"|(?:with )?(?:no|without an?) (?:LA|local authority|council|area|place) (?:named|given|stated)?"
    r"|(?:the )?ways? (?:the )?(?:reviews?|they|professionals|agencies) (?:talk|speak|write|think|describe)s? about"
    r"|(?:19|20)\d\d(?:[-–]\d{2,4})?)\b"
    r"|\(?\bnot (?:the )?(?:national|local)[\w ]{0,25}?\bones\)?",  # "(not the national panel ones)"
    re.I,
)
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen".split()
    )
}
_NUMBER = r"(\d{1,2}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r"|a|an)"
_UNIT = r"(year|month|week|day)s?"
# "seventeen year olds", "17-year-olds", "a 3 month old", "aged 17", "aged 6 months"
_EXACT_AGE_RE = re.compile(
    rf"\b(?:(?:a|an|the)\s+)?{_NUMBER}[\s-]+{_UNIT}[\s-]+olds?\b|\baged\s+{_NUMBER}(?:\s+{_UNIT}(?:\s+old)?)?\b",
    re.I,
)
# a nation named, or its demonym before what is counted: matched in a review's area, title or keywords
PLACES = {
    "wales": "Wales",
    "scotland": "Scotland",
    "england": "England",
    "northern ireland": "Northern Ireland",
    "london": "London",
}
# London's 32 boroughs and the City: a review whose area names one is a London review
LONDON_BOROUGHS = (
    "Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "Croydon", "Ealing", "Enfield",
    "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey", "Harrow", "Havering", "Hillingdon", "Hounslow",
    "Islington", "Kensington and Chelsea", "Kingston upon Thames", "Lambeth", "Lewisham", "Merton", "Newham",
    "Redbridge", "Richmond upon Thames", "Southwark", "Sutton", "Tower Hamlets", "Waltham Forest", "Wandsworth",
    "Westminster", "City of London",
)  # fmt: skip
_DEMONYMS = {"welsh": "Wales", "scottish": "Scotland", "english": "England", "northern irish": "Northern Ireland"}
_PLACE_RE = re.compile(
    r"\b(?:(?:in|from|across) )?(northern ireland|wales|scotland|england|london)\b(?:['\u2019]s)?(?: boroughs?)?"
    r"|\b(northern irish|welsh|scottish|english)(?= (?:local |serious case |case |safeguarding |child )?"
    r"(?:reviews?|cases?|reports?|councils?|local authorit\w*|areas?|partnerships?|boards?|children|families|ones)\b)",
    re.I,
)
# the national reviews: national reports, the Panel's reports, Ofsted's and the DfE's national analyses
_NATIONAL_RE = re.compile(
    r"\b(?:the )?national (?:panel(?:'s)? )?(?:annual |thematic |safeguarding practice )?(?:reviews?|reports?"
    r"|studies|analys[ie]s|panel)\b|\b(?:the )?(?:safeguarding practice review )?panel(?:'s)? (?:annual |national "
    r"|thematic )?(?:reports?|reviews?)\b|\bofsted(?:['\u2019]?s)? (?:national |thematic |biennial |evaluation )?"
    r"(?:reports?|reviews?|analys[ie]s|evaluations?)\b|\bbiennial (?:analys[ie]s|reviews?|reports?)\b",
    re.I,
)
# "local reviews (not the national panel ones)", "not counting the national reports": the local reviews are asked about
_NOT_NATIONAL_RE = re.compile(
    r"\b(?:not|excluding|except|apart from|leaving out|not counting|other than) (?:the |any )?national\b"
    r"|\blocal (?:case |safeguarding practice )?reviews\b",
    re.I,
)
_AGED_NOUNS = r"(?:\s|\b(?:a|an|the|children|child|kids?|bab(?:y|ies)|infants?|girls?|boys?)\b)*"
_BREAK_DOWN_RE = re.compile(r"\bbr(?:eak|eaking|oke|oken)\b(?=.*\bdown\b)", re.I)  # not "broken bones"
_EDGE = frozenset({"reviews", "review", "cases", "reports", "ones", "there", "examples"})


@dataclass(frozen=True)
class Interpretation:
    """What a question was read as: shown to the user as one line above the answer."""

    mode: str
    topic: str
    roles: tuple[str, ...] = ()
    role_from: str | None = None  # "question", "setting" or None
    age_bands: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    areas: tuple[str, ...] = ()  # the local areas named ("derby or derbyshire": Derby, Derby and Derbyshire)
    review_model: str | None = None
    breakdown: str | None = None
    notes: tuple[str, ...] = field(default=())
    place: str | None = None  # "Wales": a nation matched in a review's area, title or keywords
    national: bool = False  # the national reviews and reports are what is asked about
    both_scopes: bool = False  # "split local vs national": local and national reviews both counted, each apart
    exact_age: str = ""  # "17", "3 months": an exact age asked for, counted by the band that holds it
    row_themes: bool = False  # "... and the main issues for each group": each breakdown row's main themes
    compare: bool = False  # "which comes up most: X, Y or Z": the themes named are the rows, compared

    @property
    def role(self) -> str | None:
        """The first role the question is asked for."""
        return self.roles[0] if self.roles else None

    @property
    def area(self) -> str | None:
        """The one area named, if exactly one is (a search filter takes one area)."""
        return self.areas[0] if len(self.areas) == 1 else None

    @property
    def areas_text(self) -> str:
        """The areas named, as a sentence names them ("Derby or Derby and Derbyshire")."""
        return " or ".join(self.areas)

    def filters_dict(self) -> dict[str, object]:
        """The facets taken from the question, as ``ask --json`` shows them."""
        out: dict[str, object] = {}
        if self.age_bands:
            out["age_band"] = ",".join(self.age_bands)
        if self.year_from is not None or self.year_to is not None:
            out["year"] = _year_text(self.year_from, self.year_to)
        if self.areas:
            out["area"] = self.areas_text
        if self.place:
            out["place"] = self.place
        if self.review_model:
            out["review_model"] = self.review_model
        return out

    def to_dict(self) -> dict[str, object]:
        """JSON form (``ask --json`` "interpretation")."""
        return {
            "mode": self.mode,
            "topic": self.topic,
            "role": self.role,
            "role_from": self.role_from,
            "filters": self.filters_dict(),
            "breakdown": self.breakdown,
        }

    def line(self) -> str:
        """'Looking for: head injuries · babies (under 1) · lens: police (from your question)'."""
        parts = [self.topic or "everything in the collection"]
        parts += [AGE_BANDS[b] for b in self.age_bands]
        if self.year_from is not None or self.year_to is not None:
            parts.append("published " + _year_text(self.year_from, self.year_to))
        if self.areas:
            parts.append(f"in {self.areas_text}")
        if self.place:
            parts.append(f"about {self.place}")
        if self.national:
            parts.append("national reviews and reports")
        if self.review_model:
            parts.append(f"{REVIEW_MODELS[self.review_model][0]} reviews")
        if self.roles:
            source = " (from your question)" if self.role_from == "question" else ""
            parts.append(f"lens: {', '.join(role_label(r) for r in self.roles)}{source}")
        if self.breakdown:
            parts.append(_BREAKDOWN_WORDS.get(self.breakdown, f"by {self.breakdown}"))
        label = {"count": "Counting", "overview": "Comparing"}.get(self.mode, "Looking for")
        return f"{label}: " + " · ".join(parts)


_BREAKDOWN_WORDS = {"compare": "ranked", "scope": "local and national apart", "cause": "by how the child died"}


def _year_text(year_from: int | None, year_to: int | None) -> str:
    if year_from is not None and year_to is not None:
        return str(year_from) if year_from == year_to else f"{year_from}-{year_to}"
    return f"{year_from} onwards" if year_from is not None else f"up to {year_to}"


def roles_named(question: str) -> tuple[str, ...]:
    """The roles a question names as its lens, in the order named ("as a GP", "lessons for nursery staff")."""
    found: list[tuple[int, str]] = []
    for role, pattern in ROLE_NAMES.items():
        match = next(
            (
                m
                for m in pattern.finditer(question)
                if not _OBJECT_BEFORE.search(question[: m.start()]) or _IN_SERVICE_RE.search(question[: m.start()])
            ),
            None,
        )
        if match:  # "children who missed school", "taken to hospital": the place is a subject, not a lens
            found.append((match.start(), role))
    if not found:
        return ()
    intro = _INTRO_RE.match(question)  # "paramedic safeguarding lead - what do reviews say ..."
    # where the asker says who they are: "i'm a ...", "i work in ...", "paeds reg here", an opening "HV -"
    spans = [m.span() for rx in (_PERSONA_RE, _WORK_IN_RE) for m in rx.finditer(question)]
    here = _HERE_RE.match(question)
    if here:
        spans.append(here.span())
    if (
        intro
        and not _STORY_VERB_RE.search(intro.group(0))
        and any(ROLE_NAMES[r].search(intro.group(0)) for _, r in found)
    ):
        spans.append(intro.span())  # "nursery worker abusing toddlers, ..." is a story, not who is asking
    persona = bool(spans)

    def lens_for(pattern: re.Pattern[str]) -> bool:  # "a session for ambulance crews", "lessons for the GPs"
        return any(
            re.search(r"\bfor (?:the |our |my |all )?(?:\w+ )?$", question[: m.start()], re.I)
            for m in pattern.finditer(question)
        )

    ends_for = re.search(r"\bfor (?:\w+ ){0,2}\w+\s*\??$", question)
    if not (persona or ends_for or _LENS_CUE_RE.search(question)) and not any(
        lens_for(ROLE_NAMES[r]) for _, r in found
    ):
        return ()

    def as_lens(at: int, role: str) -> bool:  # named by the asker, where a lens stands, or as "for <role>"
        pattern = ROLE_NAMES[role]
        near = any(start <= at <= end + PERSONA_REACH for start, end in spans)
        return (
            near
            or lens_for(pattern)
            or _in_lens_position(question, pattern)
            or bool(ends_for and at >= ends_for.start())
        )

    found = [(at, role) for at, role in found if as_lens(at, role)]
    ordered = [role for _, role in sorted(found)]
    if "hospital" in ordered and "gp" in ordered and re.search(r"\bGPs?\b", question):  # "doctor" said with "GP"
        ordered.remove("hospital")
    return tuple(dict.fromkeys(ordered))


_MODEL_WORDS_RE = re.compile(
    r"\b(?:SILP|SCIE|learning together|significant incident learning process|partnership learning reviews?|model|"
    r"method|approach|used|done with|"
    r"carried out)\b",
    re.I,
)


_LENS_BEFORE = re.compile(
    r"(?:\b(?:for|to|as an?|i'?m an?|i am an?|im an?|i work (?:in|at|for|as)|we(?:'re| are)|lessons? for|learning for|"
    r"messages? for|relevant (?:to|for)|what (?:should|do|does|can|could|must|would))\s+(?:the\s+|our\s+|my\s+)?"
    r"(?:\w+\s+)?)$|^\W*$",
    re.I,
)
_LENS_AFTER = re.compile(
    r"^\s*(?:staff|workers?|teams?|services?|colleagues|practitioners|professionals|crews?|officers?"
    r"|nurses?)?\s*(?:here\b|"
    r"need|needs|should|must|learn|take|do|does|can|could|are|have|know|get|keep|keeps|kept|miss\w*|often|always"
    r"|tend|reg\b|registrar|[-–:,.?!]|$)",
    re.I,
)


_LENS_AFTER_WORD = re.compile(
    r"^\s*(?:staff|workers?|teams?|services?|colleagues|practitioners|professionals|crews?|officers?|nurses?)?\s*"
    r"(?:here\b|need|needs|should|must|learn|take|do|does|can|could|are|have|know|get|keep|keeps|kept|miss\w*|often"
    r"|always|tend)\b",
    re.I,
)


def _in_lens_position(question: str, pattern: re.Pattern[str]) -> bool:
    """True when the role is named where a lens stands ("what should GPs ...", "do teachers keep missing ..."), not
    as a subject ("never in school", "in trouble with the police", "social care want to close")."""
    return any(
        re.search(
            r"(?:\b(?:for|to|as an?|what (?:should|do|does|can|could|must|would)|do|does|should|can|must)"
            r"\s+(?:the\s+|our\s+|my\s+)?(?:\w+\s+)?|^\W*)$",
            question[: m.start()][-40:],
            re.I,
        )
        or _LENS_AFTER_WORD.match(question[m.end() :])
        for m in pattern.finditer(question)
    )


def _lens_mark(match: re.Match[str], text: str) -> str:
    before, after = text[: match.start()], text[match.end() :]
    return " \x00 " if _LENS_BEFORE.search(before[-40:]) or _LENS_AFTER.match(after) else match.group(0)


def _strip_roles(text: str, roles: Iterable[str]) -> str:
    """The text without the roles' names where they are the lens ("lessons for GPs", "as a health visitor"),
    keeping them where they are the subject ("when should CAMHS involve children's social care")."""
    for role in roles:
        text = ROLE_NAMES[role].sub(lambda m, t=text: _lens_mark(m, t), text)
    if roles:
        text = re.sub(
            r"\x00\s+(?:staff|workers|teams?|services?|colleagues|practitioners|professionals|crews?|reg|registrar"
            r"|settings?"
            r"|providers?|partners?)\b",
            " ",
            text,
        )
        text = _PERSONA_RE.sub(" ", text)
        text = _WORK_IN_RE.sub(" ", text)
    return text.replace("\x00", " ")


_FRAMING_SPELLINGS = ("reviews", "review", "lessons", "lesson", "learning", "learnt", "serious")


def _framing_word(match: re.Match[str]) -> str:
    """A framing word typed with its letters out of order ("reveiws", "lessosn": the same letters, the same first
    letter) read as the word itself."""
    word = match.group(0)
    low = word.lower()
    for right in _FRAMING_SPELLINGS:
        if low != right and len(low) == len(right) and low[0] == right[0] and sorted(low) == sorted(right):
            return right
    return word


def fix_framing_typos(question: str) -> str:
    """The question with letter-order misspellings of the framing words corrected (they are never a topic)."""
    return re.sub(r"\b[A-Za-z]{5,8}\b", _framing_word, question)


_OTHER_PERSONA_RE = re.compile(
    r"^\s*(?:i'?m|i am|im|as) (?:an? |the )?(?:[\w'&-]+ ){0,4}?(?:worker|carer|officer|nurse|manager|lead|teacher|"
    r"practitioner|co-?ordinator|advis[eo]r|chair|trainer|volunteer|mentor|student|assistant|visitor|doctor|"
    r"consultant|therapist|counsellor|key ?worker|governor|leader|specialist|case ?worker|navigator|reviewer|author)s?"
    r"\b(?: [\w'&-]+){0,4}?\s*(?:[,.;:!?]|\s[-\u2013]\s|(?=\s(?:what|how|are|is|any|do|does|did|can|could|should"
    r"|which|where|when|why|tell|show|give|lessons?|learning)\b))",
    re.I,
)


# a question for procedure, a timescale, a dose or a figure of the asker's own service, which reviews do not hold
_GUIDANCE_RE = re.compile(
    r"\b(?:how long (?:do|does) (?:we|i|you|a|the) \w+ (?:have|get) (?:to|got)\b|how long do (?:we|i|you) have\b"
    r"|how long (?:should|must|do|can) (?:we|i|you) (?:keep|retain|store|hold) (?:\w+ ){0,3}(?:files|records|notes)\b"
    r"|how (?:many (?:working )?(?:days|hours|weeks)|much) (?:do|should|can|must|does|have) (?:we|i|you|a|the)\b"
    r"(?! (?:\w+ )?(?:rely|trust|believe|depend|worry|push|challenge|weight)\b)"  # "how much can we rely on it"
    r"|what (?:form|dose|temp(?:erature)?|pay)\b|which form\b|where do (?:i|we) send\b"
    r"|how do (?:i|we) (?:score|fill in|complete)\b|what'?s the (?:max|maximum|minimum|recommended)\b"
    r"|should (?:we|i) be (?:staffed|paid)|pay scales?\b|vacancy rates?\b"
    r"|how (?:do|can|would|should) (?:i|we) (?:make|submit|apply for|put in|send) (?:a|an) [\w' ]{0,30}?"
    r"\b(?:request|referral|application|form)s?\b"
    r"|what(?:'?s| has| have| is)? (?:changed|new|different) in (?:the )?(?:new |latest )?(?:working together|kcsie"
    r"|keeping children safe|statutory guidance|guidance|legislation|law)\b"
    r"|what (?:does|do) (?:the )?(?:new |latest )?(?:working together|kcsie|keeping children safe in education"
    r"|statutory guidance|children act) (?:20\d\d )?(?:say|require|mean)\b"
    # "the legal process for getting a section 25 order", "which sleep pods are safe": law and products, not learning
    r"|what(?:'?s| is| are) the (?:legal )?(?:process|procedure|criteria|steps) (?:for|to) "
    r"(?:get(?:ting)?|apply(?:ing)?|obtain(?:ing)?|mak(?:e|ing)|seek(?:ing)?)\b"
    r"|\bhow long (?:does|do|will) (?:it|they|the order|an? [\w ]{0,20}order) last\b"
    r"|\bwhich (?:products?|brands?|makes?|models?|items?|ones?) (?:are|is) (?:safe|best|approved)\b"
    # "where do i find the referral form", "how do I do a signs of safety mapping", "pull up the protocol",
    # "day rates": documents, methods and pay, not learning from cases
    r"|\bwhere (?:do|can|would|should) (?:i|we) (?:find|get|download|access)\b"
    r"|\bhow (?:do|can|should) (?:i|we) (?:do|run|carry out|fill in|fill out|complete|use) (?:a|an|the) [\w' -]{0,30}?"
    r"\b(?:mapping|form|template|tool|assessment tool|referral form|chronology|genogram|flowchart)s?\b"
    r"|\b(?:pull up|show me|open|send me|give me) (?:the|our|a) [\w' -]{0,60}?\b(?:protocol|policy|procedure|flowchart"
    r"|form|template|guidance document)s?\b(?! (?:in|from|of) (?:the |these |a )?(?:reviews?|cases?))"
    r"|\b(?:day|daily|hourly) rates?\b|\bsalar(?:y|ies)\b)",
    re.I,
)
# "how many babies died of SUDI in england in 2023": a population statistic, not a count of these reviews
_STATISTICS_RE = re.compile(
    r"^(?!.*\b(?:reviews?|cases?|scrs?|csprs?|(?:the|these|those|that|this) reports?|collection"
    r"|of (?:them|those|these))\b).*"
    r"\b(?:how many|number of|what (?:is|was|are|were) the (?:rate|number|figure))\b"
    r".*\b(?:in (?:england|the uk|wales|scotland|britain|the country)|nationally|a year|per year|each year|every year"
    r"|per (?:100|1,?000)|rates?\b)",
    re.I,
)
# "what would help", "what works", "what should change": a follow-up asking for a review's recommendations
_WHAT_HELPS_RE = re.compile(
    r"(?:(?:would|could|might|should|actually|really|have|has|be|to|it|they|what|that|things?|more|most)\s+)*"
    r"(?:help(?:s|ed|ful)?|work(?:s|ed)?(?: better)?|improve(?:d|ments?)?|better|change(?:d|s)?|prevent(?:ed)?|"
    r"done differently|do differently|make a difference)(?:\s+(?:things?|it|practice|matters))?",
    re.I,
)


def asks_for_guidance(question: str) -> bool:
    """True for a question for procedure, a timescale, a dose or a figure of the asker's own service ("how long do we
    have to keep CP files", "which form do I use"): reviews hold learning from cases, not these (eval/NO_ANSWER.md)."""
    return _GUIDANCE_RE.search(question) is not None


def _vs_in_learning(question: str) -> bool:
    """True for a learning question whose only comparison word is "vs" ("SIDS vs something else, does the learning
    still land"): it asks for learning, not for a table comparing themes."""
    compared = [m.group(0).strip().lower() for m in _COMPARE_RE.finditer(question)]
    only_vs = bool(compared) and all(re.fullmatch(r"vs\.?|versus", c) for c in compared)
    return only_vs and bool(_LEARNING_RE.search(question)) and not _COUNT_RE.search(question)


def asks_learning_trend(question: str) -> bool:
    """True for a question asking how the learning on a topic has changed over time ("is it the same message")."""
    return _LEARNING_TREND_RE.search(question) is not None


def asks_for_statistics(question: str) -> bool:
    """True for a question for a population figure ("how many babies died of SUDI in england in 2023"), which case
    reviews do not hold; "how many of the reviews ..." is a count of the collection."""
    return _STATISTICS_RE.search(question) is not None


def asks_what_helps(topic: str) -> bool:
    """True for a topic that only asks what would help or work ("would actually help"): a review's recommendations."""
    return _WHAT_HELPS_RE.fullmatch(topic) is not None


# after the role in a persona clause, a verb of the work is the story ("as a police officer going out to domestics
# where there are kids"): the clause ends at the role, not at the comma
_PERSONA_STORY_RE = re.compile(
    r"\b(?!(?:working|nursing|teaching|training|visiting|safeguarding|housing|offending|during|morning|evening)\b)"
    r"[a-z]{2,}ing\b|\b(?:called|sent|asked|seeing|keep|kept|often|always|sometimes|usually|get|got)\b",
    re.I,
)


_PERSONA_NOUNS = (
    r"^\s*(?:nurses?|doctors?|workers?|officers?|staff|practitioners?|consultants?|registrars?|managers?|leads?"
    r"|sisters?|matrons?|students?|trainees?)\b"
)


def _persona_rest(clause: str, roles: Sequence[str]) -> str:
    """A persona clause taken out of the topic, or what follows its role when that is the story."""
    found = [m for r in roles if (m := ROLE_NAMES[r].search(clause))]
    if not found:
        return clause
    end = max(m.end() for m in found)
    rest = re.sub(_PERSONA_NOUNS, "", clause[end:], count=1, flags=re.I)  # "A&E nurse": the role's own noun
    if _PERSONA_STORY_RE.search(rest):
        return " " + rest.lstrip(" ,-")
    return " "


def topic_of(question: str, roles: Iterable[str] = (), areas: Iterable[str] = ()) -> str:
    """The question's subject with persona, framing, role, area and year words taken out."""
    text = f" {question} "
    roles = tuple(roles)
    if roles:
        # a persona clause up to its end ("I'm a health visitor in Leeds," / "as a GP -")
        text = re.sub(
            r"\b(?:i'?m|i am|im|as|i work as|i work in|i work at)\b[^,.;:?!]{0,60}?(?:[,.;:!?]|\s-\s|\s–\s"
            r"|(?=\s(?:what|"
            r"how|are|is|any|do|does|did|can|could|should|which|where|when|why|tell|show|give|lessons?|learning)\b))",
            lambda m: _persona_rest(m.group(0), roles),
            text,
            count=1,
            flags=re.I,
        )
    else:  # a persona the lens does not know ("I'm a youth worker -", "im a foster carer,"): not the topic either
        text = _OTHER_PERSONA_RE.sub(" ", text, count=1)
    if roles:
        intro = _INTRO_RE.match(text)
        if intro and any(ROLE_NAMES[r].search(intro.group(0)) for r in roles):
            text = " " + text[intro.end() :]
    text = " ".join(_strip_roles(text, roles).split())
    for pattern in _FRAMING_RES:
        text = " ".join(pattern.sub(" ", text).split())
    text = _LEADING_VERBS_RE.sub(" ", text)
    for area in areas:
        text = re.sub(rf"(?:\b(?:in|from|at|by) )?(?<![\w-]){re.escape(area)}(?![\w-])", " ", text, flags=re.I)
    text = _YEAR_RANGE_RE.sub(" ", text)
    for pattern in (_SINCE_RE, _BEFORE_RE, _UNTIL_RE, _IN_YEAR_RE, _YEAR_NOUN_RE):
        text = pattern.sub(" ", text)
    words = re.findall(r"[\w'&-]+", text)
    while words and words[0].lower() in _STOP | _EDGE | {"that", "where", "when", "if", "around", "regarding", "re"}:
        words.pop(0)
    while words and words[-1].lower() in _STOP | _EDGE | {"that", "where", "when", "if", "now"}:
        if len(words) > 1 and words[-1].lower() in _EDGE and words[-2].lower() in ("case", "practice", "safeguarding"):
            break  # "serious case reviews" is a subject
        words.pop()
    topic = " ".join(words).strip(" -'")
    if not any(w.lower() not in _STOP | _ASKING_ONLY for w in re.findall(r"[\w'&-]+", topic)):
        return ""  # nothing but stop words, or "lessons" alone: the asking, with no topic of its own
    return topic


def _years(question: str) -> tuple[int | None, int | None]:
    match = _YEAR_RANGE_RE.search(question)
    if match:
        first, second = (match[1], match[2]) if match[1] else (match[3], match[4])
        low, high = sorted((int(first), int(second)))
        return low, high
    since = _SINCE_RE.search(question)
    before = _BEFORE_RE.search(question)
    until = _UNTIL_RE.search(question)
    if since or before or until:
        high = int(before[1]) - 1 if before else int(until[1]) if until else None
        return (int(next(g for g in since.groups() if g)) if since else None), high
    single = _IN_YEAR_RE.search(question) or _YEAR_NOUN_RE.search(question)  # "in 2023", "the 2023 reviews"
    return (int(single[1]), int(single[1])) if single else (None, None)


def exact_age(question: str) -> tuple[str, str, tuple[int, int]] | None:
    """An exact age the question names ("seventeen year olds", "aged 3 months"): its text, band and span."""
    for match in _EXACT_AGE_RE.finditer(question):
        number, unit = (match[1], match[2]) if match[1] else (match[3], match[4])
        number = number.lower()
        amount = int(number) if number.isdigit() else _NUMBER_WORDS.get(number, 1)  # "a 3 month old", "an"
        unit = (unit or "year").lower()
        band = age_band(amount, unit)
        if band:
            text = str(amount) if unit == "year" else f"{amount} {unit}{'s' if amount != 1 else ''}"
            return text, band, match.span()
    return None


def _breakdown(question: str, mode: str) -> str | None:
    if mode not in ("count", "overview"):
        return None
    if _CAUSE_BREAKDOWN_RE.search(question):
        return "cause"
    if _SEX_BREAKDOWN_RE.search(question):
        return "sex"
    if _HARM_BREAKDOWN_RE.search(question):
        return "harm"
    if _AGE_BREAKDOWN_RE.search(question):
        return "age"
    if _AREA_BREAKDOWN_RE.search(question):
        return "area"
    if _MODEL_BREAKDOWN_RE.search(question):
        return "model"
    if _YEAR_BREAKDOWN_RE.search(question):
        return "year"
    if _THEME_BREAKDOWN_RE.search(question):
        return "theme"
    return None


_ASKED_RE = re.compile(
    r"\b(?:what|how|any|anything|is there|are there|which|why|do (?:the )?(?:reviews|scrs)|does|lessons?|learning)\b",
    re.I,
)


def asked_part(question: str) -> str | None:
    """In a question that tells a story and then asks ("a girl hinted something ... clammed up. what do reviews say
    about partial disclosures?"), the last sentence that asks, when it has a topic of its own; else None."""
    parts = [p.strip() for p in re.split(r"(?<=[.?!;])\s+|\s+-+\s+|\n+", question) if p.strip()]
    asked = [p for p in parts if _ASKED_RE.search(p)]
    if len(parts) < 2 or not asked:
        return None
    return asked[-1] if len(re.findall(r"[^\W\d_]{4,}", topic_of(asked[-1]))) >= 2 else None


_AREA_PART_GENERIC = frozenset("city county borough mid north south east west greater the of".split())
# a part of an area's name that is a nation, a region or an everyday word does not name that area alone ("wales" is
# every Welsh area, "bath" is where a baby drowned)
_NOT_AN_AREA_ALONE = frozenset(
    "wales scotland england ireland yorkshire sussex tyneside midlands riding somerset cumbria "
    "bath barking reading hove wells poole sale street bury march".split()
)


def areas_named(question: str, areas: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    """The local areas ``question`` names, longest first, and the words that named them: an area by its whole name,
    or one made of several places ("Derby and Derbyshire", "City and Hackney") by one of them ("derbyshire",
    "hackney"), or one with a word such as City by its place ("nottingham": Nottingham City); a stretch naming one
    area names no other ("derby" is Derby, not also Derby and Derbyshire)."""
    text = question
    named: list[str] = []
    words: list[str] = []

    def take(name: str, wanted: str) -> None:
        nonlocal text
        match = re.search(rf"(?<![\w-]){re.escape(wanted)}(?![\w-])", text, re.I)
        if match is not None:
            named.append(name)
            words.append(match[0])
            text = f"{text[: match.start()]} {text[match.end() :]}"

    for area in sorted(areas, key=len, reverse=True):
        take(area, area)
    for area in sorted(areas, key=len, reverse=True):
        parts = re.split(r",\s*|\s+and\s+", area)
        plain = " ".join(w for w in area.split() if w.lower() not in _AREA_PART_GENERIC)  # "Nottingham City"
        if area not in named and len(parts) == 1 and plain != area and len(plain) > 3:
            if plain.lower() not in _NOT_AN_AREA_ALONE:
                take(area, plain)
        if area not in named and len(parts) > 1:
            places = [p for p in parts if len(p) > 3 and p.lower() not in _AREA_PART_GENERIC | _NOT_AN_AREA_ALONE]
            for part in places:  # every part the question names is taken, so none is left in the topic
                take(area, part)
    return tuple(dict.fromkeys(named)), words


def interpret(
    question: str,
    areas: Iterable[str] = (),
    role_setting: str | None = None,
) -> Interpretation:
    """Read ``question``: its mode, the roles named (an explicit ``role_setting`` wins), facets and topic."""
    question = fix_framing_typos(question)
    areas = sorted(set(areas), key=len, reverse=True)
    named_roles = roles_named(question)
    if role_setting:
        roles, role_from = (role_setting,), "setting"
    elif named_roles:
        roles, role_from = named_roles, "question"
    else:
        roles, role_from = (), None
    # national reviews are not an area; "Anonymous" is one only when the reviews are ("how many are anonymous"), not
    # in "an anonymous call to the nspcc"
    withheld = r"|anonymous\b" if not _ANONYMOUS_REVIEWS_RE.search(question) else ""
    areas = [a for a in areas if not re.match(rf"(?:national\b{withheld})", a, re.I)]
    named_areas, area_words = areas_named(question, areas)
    area = named_areas[0] if named_areas else None
    year_from, year_to = _years(question)
    review_model = next((key for key, pattern in _MODEL_RE.items() if pattern.search(question)), None)
    if _COUNT_RE.search(question) and _COUNTABLE_RE.search(question):
        mode = "overview" if _breakdown(question, "count") in BREAKDOWNS else "count"
        if re.match(r"\s*how many\b", question, re.I) and not _AGE_BREAKDOWN_RE.search(question):
            harm_table = _HARM_BREAKDOWN_RE.search(question) or _CAUSE_BREAKDOWN_RE.search(question)
            mode = "overview" if _YEAR_BREAKDOWN_RE.search(question) or harm_table else "count"
    elif (_HARM_BREAKDOWN_RE.search(question) or _CAUSE_BREAKDOWN_RE.search(question)) and not named_roles:
        mode = "overview"
    elif _SEX_BREAKDOWN_RE.search(question) and _SEX_ASKED_RE.search(question) and not named_roles:
        mode = "overview"  # "a difference between boys and girls" (not "lessons on exploitation of boys and girls")
    elif _COMPARE_RE.search(question) and _LIST_RE.search(question) and not (named_roles or _vs_in_learning(question)):
        mode = "overview"
    elif (_OVERVIEW_RE.search(question) or _WHOLE_RE.search(question)) and not named_roles:
        mode = "overview"
        if _RECURRING_ONLY_RE.search(question) and not _COUNTING_CUE_RE.search(question):
            mode = "theme"  # "recurring problems when a family moves": learning on a topic, most recurrent first
    elif roles and role_from == "question" and _LEARNING_RE.search(question):
        mode = "role"  # "a session for paramedics - what learning is there for them from the case reviews"
    elif _FIND_RE.search(question):
        mode = "find"
    elif roles and role_from == "question":
        mode = "role"
    elif _LEARNING_RE.search(question):
        mode = "role" if roles else "theme"
    else:
        mode = "find"
    age = exact_age(question)
    topic_text = f"{question[: age[2][0]]} {question[age[2][1] :]}" if age else question
    both_scopes = mode in ("count", "overview") and bool(_BOTH_SCOPES_RE.search(topic_text))
    if both_scopes:  # "split local vs national": the two kinds are the rows, not a topic or a compare
        topic_text = _BOTH_SCOPES_RE.sub(" ", topic_text)
    national = bool(_NATIONAL_RE.search(topic_text)) and not _NOT_NATIONAL_RE.search(topic_text) and not both_scopes
    # "Ofsted's reports", "the Panel's annual reports": national ones, and for a count those of that kind
    kinds = (
        r"(?i)\b(?:ofsted|annual|thematic|biennial)(?=\b|['\u2019]?s\b)" if mode in ("count", "overview") else r"(?!)"
    )
    topic_text = _NATIONAL_RE.sub(lambda m: " " + " ".join(re.findall(kinds, m[0])) + " reviews ", topic_text)
    place_match = None if area else _PLACE_RE.search(topic_text)
    place = None
    if place_match:
        place = PLACES.get((place_match[1] or "").lower()) or _DEMONYMS[(place_match[2] or "").lower()]
        topic_text = f"{topic_text[: place_match.start()]} {topic_text[place_match.end() :]}"
        if place == "England":
            place = None  # the local reviews are English ones, which rarely say so: "in England" narrows nothing
        before = topic_text[max(0, place_match.start() - 70) : place_match.start()]
        opening = not re.search(r"[.?!;]|\s[-\u2013]\s", topic_text[: place_match.start()])  # in the first clause
        named_before = any(ROLE_NAMES[r].search(before[-40:]) for r in named_roles)
        if _PERSONA_BEFORE_RE.search(before) or (opening and named_before):
            place = None  # "I'm a health visitor in London", "ED nurse in a london trust": where the asker works
    topic = topic_of(topic_text, named_roles, area_words)
    if mode in ("count", "overview"):
        topic = _MODEL_WORDS_RE.sub(" ", topic) if review_model else topic
        asked_after = re.sub(r"\s*[-\u2013:,;]?\s*\bhow (?:often|common|frequently)\b.*$", "", topic, flags=re.I)
        topic = asked_after if re.search(r"[^\W\d_]", asked_after) else topic  # "X - how often has that happened"
        words = re.findall(r"[\w'&-]+", _OVERVIEW_WORDS_RE.sub(" ", topic))
        words = [w for w in words if not re.fullmatch(r"scrs?|csprs?|lcsprs?|reviews?", w, re.I)]  # every review is one
        if _BREAK_DOWN_RE.search(question):  # "break the X reviews down by age": X
            words = [w for w in words if not re.fullmatch(r"br(?:eak|eaking|oke|oken)|down", w, re.I)]
        while words and words[0].lower() in _STOP | _EDGE | {"not"}:  # "(not the national ones)" left as "not"
            words.pop(0)
        while words and words[-1].lower() in _STOP | _EDGE | {"not"}:
            words.pop()
        topic = " ".join(words)
        if age and re.fullmatch(_AGED_NOUNS, topic, re.I):
            topic = ""  # "children aged 7": the age is the whole criterion
    breakdown = _breakdown(question, mode)
    compare = mode in ("count", "overview") and bool(_COMPARE_RE.search(question) and _LIST_RE.search(question))
    compare = compare and not both_scopes
    split_harms = _DIED_RE.search(question) and _HARMED_RE.search(question)
    if (compare or _SPLIT_RE.search(question)) and split_harms and breakdown in (None, "theme"):
        mode, breakdown, compare = "overview", "harm", False  # "died versus seriously harmed": the harms are the rows
        rest = _SPLIT_RE.sub(" ", _HARMED_RE.sub(" ", _DIED_RE.sub(" ", topic)))
        words = [w for w in re.findall(r"[\w'&-]+", rest) if w.lower() not in _STOP | _EDGE | _SPLIT_FILLER]
        topic = " ".join(w for w in words if re.search(r"[^\W\d_]", w))
    if compare and breakdown in (None, "theme"):
        mode, breakdown = "overview", "theme"
    compare = compare and breakdown == "theme"
    if breakdown == "cause":  # the deaths are the scope and their causes the rows: neither is a topic
        words = re.findall(r"[\w'&-]+", _CAUSE_WORDS_RE.sub(" ", topic))
        topic = " ".join(w for w in words if w.lower() not in _STOP | _EDGE and re.search(r"[^\W\d_]", w))
    if breakdown == "harm":  # the harms named are the table's rows, and so are "deaths vs kids who survived"
        rest = _SPLIT_RE.sub(" ", _HARMED_RE.sub(" ", _DIED_RE.sub(" ", _HARM_WORDS_RE.sub(" ", topic))))
        words = [w for w in re.findall(r"[\w'&-]+", rest) if w.lower() not in _STOP | _SPLIT_FILLER | {"into"}]
        topic = " ".join(w for w in words if re.search(r"[^\W\d_]", w))
    if mode == "overview" and _WHOLE_RE.search(question):
        breakdown = breakdown or "theme"
    if breakdown == "model":
        review_model = None  # "which review models are used most": every model, not one
    if breakdown == "sex":  # the sexes are the rows: not the topic
        rest = re.sub(
            rf"\b{_BOY}\b|\b{_GIRL}\b|\b(?:sex|gender|vs|versus|cases?|by|involv\w*|compared (?:with|to))\b",
            " ",
            topic,
            flags=re.I,
        )
        words = [w for w in re.findall(r"[\w'&-]+", rest) if w.lower() not in _STOP | _EDGE]
        topic = "" if re.search(r"\bdifferen\w*", question, re.I) else " ".join(words)  # "what differs": every one
    row_themes = breakdown not in (None, "theme") and bool(
        _ROW_THEME_WORDS_RE.search(question) and _EACH_ROW_RE.search(question)
    )
    row_themes = row_themes or (breakdown == "sex" and bool(_DIFFERENCE_RE.search(question)))
    if row_themes:  # the issues asked for are the rows' themes, not a topic
        words = re.findall(r"[\w'&-]+", _EACH_ROW_RE.sub(" ", _ROW_THEME_WORDS_RE.sub(" ", topic)))
        while words and words[0].lower() in _STOP | _EDGE:
            words.pop(0)
        while words and words[-1].lower() in _STOP | _EDGE:
            words.pop()
        topic = " ".join(words)
    age_bands = () if _PARENT_AGE_RE.search(question) else age_bands_named(topic_text)
    if breakdown == "age":  # the ages named are the table's rows (several named: not a filter either), not a topic
        age_bands = () if len(age_bands) > 1 else age_bands
        words = re.findall(r"[\w'&-]+", _AGE_ROW_WORDS_RE.sub(" ", topic))
        topic = " ".join(w for w in words if w.lower() not in _STOP | _EDGE and re.search(r"[^\W\d_]", w))
    age_bands = (age[1],) if age else age_bands
    return Interpretation(
        mode=mode,
        topic=topic,
        roles=roles,
        role_from=role_from,
        age_bands=age_bands,
        year_from=year_from,
        year_to=year_to,
        areas=named_areas,
        review_model=review_model,
        breakdown=breakdown,
        place=place,
        national=national,
        exact_age=age[0] if age else "",
        row_themes=row_themes,
        compare=compare,
        both_scopes=both_scopes,
    )

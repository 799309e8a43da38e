/*
 * ddb_seed_text: the words of the demo conversation `cruddur ddb seed`
 * writes, kept apart from the code that writes them. Andrew and Bayko plan
 * a four-day canoe trip on the Algonquin Park interior lakes: route,
 * portages, food, gear, weather and a backup plan. Lines alternate between
 * the two, andrewbrown first. Written for this project.
 */
#include "tools/tools_int.h"

const char *const tools_seed_lines[] = {
    /* andrewbrown, bayko, andrewbrown, ... */
    "Are we still on for the canoe trip at the end of the month? I finally have the long weekend "
    "booked off.",
    "Yes! I've been looking at maps every evening. Thinking we put in at Canoe Lake and head "
    "north.",
    "Canoe Lake gets crowded on long weekends. What about Smoke Lake instead, then up through "
    "Ragged?",
    "Ragged Lake is beautiful but the portage out of Smoke is uphill for most of it. With a 60 "
    "pound boat that hurts.",
    "How long is it?",
    "About 240 metres on the map. Short, but steep and rooty at the top end.",
    "240 metres is nothing. We double carry it and we're done in fifteen minutes.",
    "Fair. If we single carry everything else that's fine. Day one: Smoke to Ragged, camp on the "
    "island site?",
    "If it's free. Sites are first come first served once you're on your lake, right?",
    "Right, the permit is for the lake, not the exact site. We should aim to be on the water by "
    "9 to get a good one.",
    "So we leave the city at 5. Ugh. Okay, I'll drive, you bring the coffee.",
    "Deal. Day two I'd like to push to Big Porcupine. There's a 1.4 km portage, but the lake is "
    "supposed to be stunning.",
    "1.4 km is a real portage. Is the trail in decent shape? Last year's storms knocked a lot of "
    "trees down.",
    "The park's trip report page says it was cleared in June. A few muddy sections near the "
    "middle.",
    "Muddy is fine, I'll wear the old boots. We should split the load so neither of us carries "
    "the boat and the food barrel.",
    "I'll take the boat on the long ones, you take the barrel and the big pack. We swap on the "
    "way back.",
    "Speaking of the barrel: are we doing a proper food plan this time or just bringing pasta "
    "again?",
    "A proper plan. I'll make a spreadsheet. Breakfasts, lunches, dinners, and snacks by day.",
    "Of course you're making a spreadsheet.",
    "You'll thank me when we're not eating plain rice on night three like last summer.",
    "That was a low point. Okay, I'll handle dinners. I can dehydrate chili and a curry at home "
    "this week.",
    "Perfect. I'll do breakfasts: oatmeal with dried fruit, plus bannock mix for the lazy "
    "morning.",
    "Lunches: tortillas, hard salami, cheese, peanut butter. Nothing that needs a stove in the "
    "middle of the day.",
    "Agreed. Hard cheese keeps fine for four days if it's not too hot. What's the forecast "
    "looking like?",
    "Too far out to trust, but the long range says mid twenties in the day and around ten at "
    "night.",
    "Ten at night means the warmer sleeping bag. Mine is rated to minus five, probably overkill.",
    "Overkill is better than shivering at 3 a.m. Bring it and sleep with it unzipped.",
    "Fine. Tent: yours or mine? Mine is lighter but the fly leaks at one seam.",
    "Mine then. I re-waterproofed it in the spring and it survived that storm on Lake Opeongo.",
    "I still can't believe that storm. We should have a rule: off the water if we hear thunder.",
    "Hard rule. And we check the sky before every big crossing. Big Porcupine has a long open "
    "stretch.",
    "How long a crossing?",
    "About two kilometres if we go straight up the middle. We can hug the east shore instead, "
    "adds maybe twenty minutes.",
    "Hug the shore. Twenty minutes is cheap insurance, especially with afternoon wind.",
    "Wind is usually from the west there, so the east shore should be calmer too.",
    "Good. Day three: stay put at Big Porcupine? A rest day with fishing and swimming sounds "
    "great.",
    "I was going to suggest exactly that. And we can do a day trip to Bonnechere without the "
    "gear.",
    "A day trip with an empty canoe is the best kind of paddling. Do you still have your "
    "fishing licence?",
    "Renewed it last week. I'm bringing two rods and the small tackle box, nothing fancy.",
    "Lake trout are deep in summer, so we'd need to troll with weight. Smallmouth bass are "
    "easier.",
    "Bass it is. If we catch one, fish tacos on the rest day. I'll pack a lime.",
    "A single lime, carried 1.4 km, for a fish we haven't caught yet. I love it.",
    "Optimism is lightweight. Day four we paddle all the way back out to Smoke?",
    "Yes, it's a long day but all downhill on the portages this time. We should be at the car "
    "by 3.",
    "Then burgers in Dwight on the way home. Non-negotiable.",
    "Non-negotiable. Now the boring but important stuff: who has the first aid kit?",
    "I do. I restocked it after the last trip: blister pads, tape, ibuprofen, antihistamines, "
    "tweezers.",
    "Add some electrolyte tablets. I got a bit wrecked by the heat on that portage last year.",
    "Good call, I'll add a tube. Water filter or tablets?",
    "Filter for everyday, tablets as a backup. My filter is new so it should be fine.",
    "And the satellite messenger. I want my partner to be able to see where we are each "
    "evening.",
    "Is your subscription active? Last time it lapsed and we only found out on the lake.",
    "I'll check tonight and send a test message from the backyard.",
    "Great. Permits: the reservation system opens the interior sites five months ahead, did you "
    "book?",
    "Booked on the day it opened: Ragged night one, Big Porcupine nights two and three.",
    "Amazing. Did it ask for the vehicle plate?",
    "Yes, I put in my car. We print the permit and leave it on the dashboard at the access "
    "point.",
    "I'll print two copies, one for the dashboard and one in a ziplock in the barrel.",
    "Speaking of ziplocks, phones and the map go in the dry bag that clips to the thwart.",
    "Paper map, right? Not just the phone app?",
    "Both. The phone for GPS, the paper map because batteries die and paper does not.",
    "Paper does die if you drop it in the lake. Waterproof map case, please.",
    "Already in my cart. Okay, what about paddles? I've only got my bent shaft and one spare.",
    "Bring your bent shaft. I'll bring my straight one and the spare. Three paddles for two "
    "people.",
    "Perfect. And PFDs, the bailer, the throw rope, the whistle. The usual safety kit.",
    "Already in a pile by my door. My partner says the hallway looks like an outfitter's shop.",
    "Mine too. Let's talk bears for a second. Barrel hangs or just keep it away from the tent?",
    "Barrels are hard to hang. The park says keep them 100 metres from camp, downwind, away from "
    "the water.",
    "And everything that smells goes in: toothpaste, sunscreen, garbage, the lime.",
    "The lime is very important to the bears, yes.",
    "Seriously though, I saw a bear near the Ragged portage two summers ago. It ran off, but "
    "still.",
    "We make noise on the trails then. Talking, singing, whatever works.",
    "You singing will definitely keep bears away. And possibly other campers.",
    "Rude. Accurate, but rude.",
    "Food weights: I'm estimating about 1 kg per person per day. So around 8 kg of food total.",
    "That fits in the 60 litre barrel with room to spare. Leaves space for the stove fuel too.",
    "Fuel goes outside the barrel. Don't want it leaking into the bannock mix.",
    "Good point. Side pocket of the big pack then. One canister should do for four days.",
    "I'd bring two small ones. If the weather turns cold we'll want more hot drinks.",
    "Fair, two small ones. Any other gear questions before I finish the list?",
    "Camp chairs. Worth carrying or not?",
    "For a rest day in the middle, absolutely worth it. They weigh less than a kilo each.",
    "Okay, chairs in. The tarp too, in case of a full day of rain.",
    "Yes. Rainy days under a tarp with hot chocolate are part of the experience.",
    "Part of the experience is also wet socks. I'm bringing three pairs of wool ones.",
    "Wise. Backup plan if the weather is terrible: we stay on Ragged and skip the long portage.",
    "Agreed. And if it's very windy on day four we wait until evening when it calms down.",
    "That would make us late for burgers.",
    "The burgers will wait. Safety over burgers.",
    "A new motto. I'll put it at the top of the spreadsheet.",
    "Please send me the spreadsheet when it's ready. I want to add the dinner quantities.",
    "Sending it tonight. I made a tab for gear, one for food, and one for the route with "
    "distances.",
    "With distances? Now I'm impressed.",
    "Total paddling is about 38 km over four days with 5 portages. Very doable.",
    "Very doable, and we have the rest day to recover. Are you doing any training?",
    "Two evening paddles on the river next week. My shoulders need to remember what this is.",
    "I'll join you on Thursday. We can practice switching sides without splashing each other.",
    "You splashed me on purpose last time, I know you did.",
    "Never. Okay, maybe once. See you Thursday at the boat launch at 6?",
    "See you Thursday at 6. Bring the permit printouts so we can tick that off the list.",
    "Will do. This is going to be the best trip yet.",
};

const size_t tools_seed_count = sizeof tools_seed_lines / sizeof tools_seed_lines[0];

/**
 * Word lists for the synthetic demo catalog: one entry per category (genre), with the words its
 * titles are built from, the makers that publish it and the years its items come out in. Words
 * never contain ';' (titles are joined with "; " in prompts) and never end in a Roman numeral
 * (sequels add one).
 */
export interface CategoryVocabulary {
  name: string;
  /** Categories an item of this one most plausibly also belongs to (its secondary category). */
  related: string[];
  adjectives: string[];
  nouns: string[];
  /** Words that follow a noun phrase ("Starship Chronicles", "Pastoral Sonata for Strings"). */
  suffixes: string[];
  /** Makers; the first is the most prolific. */
  brands: string[];
  years: [from: number, to: number];
}

export const CATEGORY_VOCABULARY: CategoryVocabulary[] = [
  {
    name: 'Sci-Fi',
    related: ['Fantasy', 'Animation', 'Documentary'],
    adjectives: ['Quantum', 'Stellar', 'Orbital', 'Neon', 'Synthetic', 'Galactic', 'Binary', 'Cosmic', 'Chrome'],
    nouns: ['Frontier', 'Station', 'Nebula', 'Signal', 'Colony', 'Android', 'Horizon', 'Voyager', 'Reactor', 'Eclipse'],
    suffixes: ['Chronicles', 'Protocol', 'Saga', 'Directive'],
    brands: ['Orbit Press', 'Nova Studios', 'Farlight Media'],
    years: [1968, 2024],
  },
  {
    name: 'Fantasy',
    related: ['Sci-Fi', 'Romance', 'Animation'],
    adjectives: ['Crimson', 'Enchanted', 'Forgotten', 'Silver', 'Ancient', 'Shadowed', 'Emerald', 'Sunken', 'Moonlit'],
    nouns: ['Kingdom', 'Dragon', 'Crown', 'Sorcerer', 'Throne', 'Citadel', 'Oracle', 'Blade', 'Grimoire', 'Harbor'],
    suffixes: ['Legends', 'Tales', 'Prophecy', 'Cycle'],
    brands: ['Wyrmstone Books', 'Elderglen Studios', 'Hollowmere Press'],
    years: [1954, 2024],
  },
  {
    name: 'Mystery',
    related: ['Horror', 'History', 'Comedy'],
    adjectives: ['Midnight', 'Quiet', 'Vanishing', 'Locked', 'Crooked', 'Pale', 'Velvet', 'Borrowed', 'Foggy'],
    nouns: ['Detective', 'Alibi', 'Witness', 'Manor', 'Cipher', 'Verdict', 'Inspector', 'Letter', 'Motive', 'Ledger'],
    suffixes: ['Files', 'Casebook', 'Affair', 'Investigation'],
    brands: ['Blackquill Press', 'Foglamp Pictures', 'Keyhole Media'],
    years: [1930, 2024],
  },
  {
    name: 'Romance',
    related: ['Comedy', 'Fantasy', 'Travel'],
    adjectives: ['Sweet', 'Tender', 'Summer', 'Secret', 'Reckless', 'Painted', 'Stolen', 'Sunlit', 'Blushing'],
    nouns: ['Heart', 'Promise', 'Kiss', 'Vow', 'Garden', 'Wedding', 'Waltz', 'Sonnet', 'Embrace', 'Bouquet'],
    suffixes: ['Diaries', 'Story', 'Romance', 'Serenade'],
    brands: ['Rosewater Books', 'Heartline Studios', 'Juniper Lane Press'],
    years: [1975, 2024],
  },
  {
    name: 'Horror',
    related: ['Mystery', 'Sci-Fi', 'Comedy'],
    adjectives: ['Bleeding', 'Hungry', 'Rotten', 'Grim', 'Cursed', 'Wretched', 'Howling', 'Nameless', 'Creeping'],
    nouns: ['Asylum', 'Cellar', 'Ritual', 'Carnival', 'Skull', 'Doll', 'Crypt', 'Specter', 'Coven', 'Swamp'],
    suffixes: ['Curse', 'Awakening', 'Nightmares', 'Reckoning'],
    brands: ['Gravemoor Pictures', 'Nightjar Studios', 'Cinder Crow Press'],
    years: [1960, 2024],
  },
  {
    name: 'Cooking',
    related: ['Travel', 'Documentary', 'History'],
    adjectives: ['Rustic', 'Smoky', 'Spiced', 'Homemade', 'Savory', 'Crispy', 'Seasonal', 'Hearty', 'Tuscan', 'Zesty'],
    nouns: ['Kitchen', 'Skillet', 'Pantry', 'Bakery', 'Feast', 'Table', 'Supper', 'Bistro', 'Brunch', 'Dumpling'],
    suffixes: ['Cookbook', 'Recipes', 'Companion', 'Basics'],
    brands: ['Copper Pot Press', 'Saltbox Kitchen', 'Hearthside Media'],
    years: [1990, 2024],
  },
  {
    name: 'Travel',
    related: ['Cooking', 'Documentary', 'History'],
    adjectives: ['Coastal', 'Northern', 'Southern', 'Roaming', 'Alpine', 'Desert', 'Nomadic', 'Tropical', 'Windswept'],
    nouns: ['Road', 'Journey', 'Passport', 'Atlas', 'Trail', 'Railway', 'Compass', 'Caravan', 'Lagoon', 'Lighthouse'],
    suffixes: ['Guide', 'Travelogue', 'Handbook', 'Expedition'],
    brands: ['Wayfarer Guides', 'Northstar Press', 'Open Road Media'],
    years: [1985, 2024],
  },
  {
    name: 'History',
    related: ['Documentary', 'Mystery', 'Classical'],
    adjectives: [
      'Imperial',
      'Medieval',
      'Victorian',
      'Bronze',
      'Roman',
      'Revolutionary',
      'Fallen',
      'Byzantine',
      'Royal',
    ],
    nouns: ['Empire', 'Dynasty', 'Republic', 'Revolution', 'Siege', 'Pharaoh', 'Legion', 'Armada', 'Treaty', 'Monarch'],
    suffixes: ['Annals', 'Histories', 'Chronicle', 'Era'],
    brands: ['Chronos House', 'Atlas & Quill', 'Heritage Press'],
    years: [1960, 2024],
  },
  {
    name: 'Jazz',
    related: ['Classical', 'Hip-Hop', 'Documentary'],
    adjectives: ['Blue', 'Cool', 'Swinging', 'Mellow', 'Sultry', 'Smooth', 'Brassy', 'Lowdown', 'Moody', 'Uptown'],
    nouns: ['Trumpet', 'Saxophone', 'Groove', 'Lounge', 'Quartet', 'Ballad', 'Bebop', 'Riff', 'Rhythm', 'Nocturne'],
    suffixes: ['Sessions', 'Live', 'Suite', 'Blues'],
    brands: ['Blue Lantern Records', 'Bop City Records', 'Sapphire Note'],
    years: [1950, 2024],
  },
  {
    name: 'Classical',
    related: ['Jazz', 'History', 'Romance'],
    adjectives: ['Grand', 'Pastoral', 'Eternal', 'Solemn', 'Majestic', 'Lyric', 'Baroque', 'Celestial', 'Serene'],
    nouns: [
      'Symphony',
      'Sonata',
      'Concerto',
      'Requiem',
      'Overture',
      'Fugue',
      'Prelude',
      'Cantata',
      'Rhapsody',
      'Etude',
    ],
    suffixes: ['in D Minor', 'in E Flat', 'for Strings', 'for Piano'],
    brands: ['Aurelian Records', 'Vienna Hall Editions', 'Cadenza Classics'],
    years: [1955, 2024],
  },
  {
    name: 'Hip-Hop',
    related: ['Jazz', 'Comedy', 'Sports'],
    adjectives: [
      'Concrete',
      'Raw',
      'Restless',
      'Underground',
      'Bold',
      'Loud',
      'Heavy',
      'Platinum',
      'Gritty',
      'Hometown',
    ],
    nouns: ['Beat', 'Flow', 'Corner', 'Anthem', 'Hustle', 'Mixtape', 'Verse', 'Legacy', 'Skyline', 'Boombox'],
    suffixes: ['Freestyle', 'Remix', 'Tape', 'Reloaded'],
    brands: ['Concrete Crown Records', 'Boombox Music', 'Eastside Sound'],
    years: [1985, 2024],
  },
  {
    name: 'Comedy',
    related: ['Romance', 'Animation', 'Sports'],
    adjectives: ['Awkward', 'Accidental', 'Ridiculous', 'Clumsy', 'Grumpy', 'Lucky', 'Bumbling', 'Cheeky', 'Hapless'],
    nouns: ['Roommate', 'Vacation', 'Neighbor', 'Uncle', 'Intern', 'Road Trip', 'Reunion', 'Landlord', 'Babysitter'],
    suffixes: ['Misadventures', 'Show', 'Special', 'Hour'],
    brands: ['Pratfall Pictures', 'Banana Peel Studios', 'Giggle Box Media'],
    years: [1975, 2024],
  },
  {
    name: 'Documentary',
    related: ['History', 'Travel', 'Sports'],
    adjectives: ['Untold', 'Living', 'Fragile', 'Changing', 'Deep', 'Frozen', 'Endangered', 'Invisible', 'Urban'],
    nouns: ['Ocean', 'Planet', 'Reef', 'Glacier', 'Migration', 'Rainforest', 'Archipelago', 'Savanna', 'River'],
    suffixes: ['Revealed', 'Uncovered', 'Up Close', 'Story'],
    brands: ['Clearwater Films', 'Wide Lens Media', 'Fieldnote Pictures'],
    years: [1995, 2024],
  },
  {
    name: 'Animation',
    related: ['Comedy', 'Fantasy', 'Sci-Fi'],
    adjectives: ['Tiny', 'Brave', 'Bouncy', 'Magical', 'Little', 'Sleepy', 'Curious', 'Fuzzy', 'Sparkly', 'Clockwork'],
    nouns: ['Robot', 'Penguin', 'Fox', 'Bear', 'Balloon', 'Kitten', 'Submarine', 'Pirate', 'Rocket', 'Teapot'],
    suffixes: ['Adventures', 'and Friends', 'Holiday', 'Big Day Out'],
    brands: ['Paperkite Animation', 'Bubblegum Studios', 'Pixel Acorn'],
    years: [1980, 2024],
  },
  {
    name: 'Sports',
    related: ['Documentary', 'Hip-Hop', 'Comedy'],
    adjectives: ['Unbeaten', 'Fearless', 'Underdog', 'Winning', 'Legendary', 'Relentless', 'Rookie', 'Clutch', 'Final'],
    nouns: ['Season', 'Match', 'Derby', 'Sprint', 'Marathon', 'Comeback', 'Rivalry', 'Stadium', 'Trophy', 'Knockout'],
    suffixes: ['Glory', 'Legends', 'Rising', 'Diaries'],
    brands: ['Fullcourt Media', 'Podium Pictures', 'Touchline Studios'],
    years: [1980, 2024],
  },
];

/** Roman numerals for sequels: index 0 is the second part ("II"). */
export const SEQUEL_NUMERALS = ['II', 'III', 'IV', 'V', 'VI'];
